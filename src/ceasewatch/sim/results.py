"""results.parquet: one row per run and policy, with the experiment in its metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .montecarlo import Experiment, Row

SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("policy", pa.string()),
        ("base_policy", pa.string()),
        ("sweep_param", pa.string()),
        ("sweep_value", pa.string()),
        ("seed", pa.int64()),
        ("run", pa.int32()),
        ("breaches", pa.int32()),
        ("missed_breaches", pa.int32()),
        ("reports", pa.int32()),
        ("fabricated_reports", pa.int32()),
        ("misattributed_reports", pa.int32()),
        ("first_breach_at", pa.timestamp("s", tz="UTC")),
        ("hours_to_phase1", pa.float64()),
        ("hours_to_phase2", pa.float64()),
        ("hours_to_phase3", pa.float64()),
        ("reached_phase1", pa.bool_()),
        ("reached_phase2", pa.bool_()),
        ("reached_phase3", pa.bool_()),
        ("false_phase1", pa.int32()),
        ("false_phase2", pa.int32()),
        ("false_phase3", pa.int32()),
        ("false_escalations", pa.int32()),
        ("cases", pa.int32()),
        ("overdue_actions", pa.int32()),
        ("protocol_events", pa.int32()),
    ]
)
METADATA_KEY = b"ceasewatch.simulation"


def experiment_metadata(
    experiment: Experiment, command: str, sweep: str | None, version: str
) -> dict[str, Any]:
    """What reproduces the results: scenario, seed, runs, policies and their versions."""
    policies = [
        {
            "label": v.label,
            "name": v.policy.name,
            "version": v.policy.version,
            "base": v.base,
            "sweep_param": v.sweep_param,
            "sweep_value": v.sweep_value,
        }
        for v in experiment.variants
    ]
    return {
        "scenario": experiment.scenario.name,
        "seed": experiment.seed,
        "runs": experiment.runs,
        "policies": policies,
        "sweep": sweep,
        "command": command,
        "ceasewatch": version,
    }


def write_results(rows: list[Row], path: Path, experiment: dict[str, Any]) -> None:
    """Write the rows; `experiment` (scenario, seed, runs, policies...) goes in the metadata."""
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    metadata = {METADATA_KEY: json.dumps(experiment, sort_keys=True).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def read_results(path: Path) -> tuple[list[Row], dict[str, Any]]:
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(METADATA_KEY, b"{}")
    return table.to_pylist(), json.loads(raw)
