from __future__ import annotations

import os
from pathlib import Path

import pytest

from builders import Scenario, make_ceasefire
from ceasewatch.config import load_policy
from ceasewatch.domain.ceasefire import Ceasefire
from ceasewatch.domain.policy import Policy

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Import the CLI's consoles with no COLUMNS set: a rich Console keeps the COLUMNS it
    was made under, so otherwise the first test to run a command (with its own COLUMNS)
    would fix the width of every later one in the process, in whatever order they run."""
    columns = os.environ.pop("COLUMNS", None)
    import ceasewatch.cli.common  # noqa: F401

    if columns is not None:
        os.environ["COLUMNS"] = columns


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy("three-phase")


@pytest.fixture(scope="session")
def ceasefire() -> Ceasefire:
    """RU and UA, in effect from 2026-03-01T00:00:00Z, with no end, zone or scope."""
    return make_ceasefire()


@pytest.fixture
def scenario(ceasefire: Ceasefire, policy: Policy) -> Scenario:
    return Scenario(ceasefire, policy)


@pytest.fixture
def trusted(ceasefire: Ceasefire, policy: Policy) -> Scenario:
    """A scenario replayed with --trust-input: every record is a verified incident."""
    return Scenario(ceasefire, policy, trust_input=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return Path(os.environ.get("CEASEWATCH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def conformance_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "conformance"
    if not folder.is_dir():
        pytest.skip(f"no conformance examples at {folder} (set CEASEWATCH_SHARED)")
    return folder


@pytest.fixture(autouse=True, scope="session")
def _web_secret_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Apps made without web settings keep their generated secret here, not in $HOME."""
    os.environ.setdefault("CEASEWATCH_SECRET_FILE", str(tmp_path_factory.mktemp("web") / "secret"))
