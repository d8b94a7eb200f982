"""One run written out: to replay it with `ceasewatch replay`, or to read what happened."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..domain.events import iso_z
from ..domain.reports import report_record
from .scenario import Scenario
from .truth import GeneratedRun

FILES = ("ceasefire.yaml", "reports.jsonl", "truth.jsonl", "events.jsonl")


def write_run(scenario: Scenario, generated: GeneratedRun, folder: Path) -> list[Path]:
    """The ceasefire, the reports (report records), what each describes, and the events."""
    folder.mkdir(parents=True, exist_ok=True)
    ceasefire = scenario.ceasefire.model_dump(mode="json", exclude_none=True)
    paths = [folder / name for name in FILES]
    paths[0].write_text(
        yaml.safe_dump(ceasefire, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    reports = (report_record(g.report, exclude={"evidence"}) for g in generated.reports)
    _write_lines(paths[1], reports)
    truths = (
        {
            "source": g.report.source,
            "id": g.report.id,
            "event": g.truth.event,
            "fabricated": g.truth.fabricated,
            "misattributed": g.truth.misattributed,
        }
        for g in generated.reports
    )
    _write_lines(paths[2], truths)
    events = (
        {
            "id": e.id,
            "at": iso_z(e.at),
            "actor": e.actor,
            "process": e.process,
            "event_type": e.event_type.value,
            "target": e.target.value,
            "lat": round(e.lat, 5),
            "lon": round(e.lon, 5),
            "killed": e.killed,
            "injured": e.injured,
            "framed": e.framed,
        }
        for e in generated.events
    )
    _write_lines(paths[3], events)
    return paths


def _write_lines(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
