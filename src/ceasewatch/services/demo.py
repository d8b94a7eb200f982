"""Loading the demo scenario into a database, as a user would with the CLI."""

from __future__ import annotations

import tempfile
from datetime import datetime
from importlib import resources
from pathlib import Path

from ..scenarios.demo import DemoScenario, write_demo
from . import setup
from .clock import tick
from .ingest import ingest
from .system import open_system


def store_demo(scenario: DemoScenario, until: datetime, url: str | None = None) -> str:
    """Init the database, add the demo's ceasefire and directory, ingest, tick to `until`.

    Loading it again changes nothing. Returns the database's URL (password hidden).
    """
    shown = setup.init(url)
    system = open_system(url)
    try:
        directory = resources.files("ceasewatch") / "scenarios" / "parties.yaml"
        with resources.as_file(directory) as parties:
            setup.import_parties(system, setup.read_parties(parties))
        with tempfile.TemporaryDirectory(prefix="ceasewatch-demo-") as folder:
            ceasefire, reports = write_demo(scenario, Path(folder))
            setup.add_ceasefire(system, ceasefire)
            ingest(system, [str(reports)])
        tick(system, until)
    finally:
        system.db.dispose()
    return shown
