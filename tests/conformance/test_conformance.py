"""The shared worked examples: replay gives exactly the key events their .expect files list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builders import KEY_EVENTS
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.reports import Rejection
from ceasewatch.importers.records import read_reports
from ceasewatch.services.replay import replay

SHARED = Path(os.environ.get("CEASEWATCH_SHARED", Path(__file__).parents[3] / "shared"))
EXAMPLES = sorted(p.stem for p in (SHARED / "conformance").glob("*.jsonl"))
"""Every worked example in the shared folder, so new ones are checked as they land."""


def test_the_shared_examples_are_found(conformance_dir: Path):
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("name", EXAMPLES)
def test_replay_gives_the_expected_key_events(conformance_dir: Path, name: str):
    ceasefire = load_ceasefire(conformance_dir / "ceasefire.yaml")
    records = list(read_reports(conformance_dir / f"{name}.jsonl"))
    expected = (conformance_dir / f"{name}.expect").read_text(encoding="utf-8").splitlines()

    result = replay(
        ceasefire,
        load_policy(ceasefire.policy),
        records,
        trust_input=name.startswith("trusted-"),
    )

    assert [r for r in records if isinstance(r, Rejection)] == []
    lines = [
        f"{e.event} {e.violator} "
        f"{'-' if e.event == 'case_closed' else e.details['phase']} {iso_z(e.at)}"
        for e in result.events
        if e.event in KEY_EVENTS
    ]
    assert lines == [line for line in expected if line.strip()]
