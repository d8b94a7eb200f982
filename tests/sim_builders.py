"""Builders for simulation tests: small scenarios written as the YAML a planner would write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ceasewatch.config import load_policy
from ceasewatch.sim.montecarlo import Experiment, PolicyVariant
from ceasewatch.sim.scenario import Scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

FRONT = [[48.0, 37.0], [48.0, 38.35]]
"""A straight front line of about 100 km, west to east."""


def scenario(
    actors: dict[str, Any],
    sources: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> Scenario:
    """A 30-day scenario between RU and UA along `FRONT`, through the real YAML parser."""
    data: dict[str, Any] = {
        "name": "test",
        "ceasefire": {
            "id": "cf-sim-test",
            "name": "Test ceasefire",
            "parties": ["RU", "UA"],
            "effective_from": "2026-03-01T00:00:00Z",
        },
        "duration": "30d",
        "theatre": {"front": FRONT, "depth_km": 3},
        "actors": actors,
        "sources": sources or [],
        **sections,
    }
    return parse_scenario(yaml.safe_dump(data, sort_keys=False), "test scenario")


def actor(*processes: dict[str, Any]) -> dict[str, Any]:
    return {"processes": list(processes)}


def monitor(source_id: str, **habits: Any) -> dict[str, Any]:
    """A monitoring team that sees everything, reports within the hour, graded A1."""
    return {
        "id": source_id,
        "kind": "monitor",
        "reliability": "A",
        "credibility": [1],
        "detection": 1.0,
        "delay": {"median": "1h", "sigma": 0.2},
        "location_error_km": 0.1,
        "precision_m": 100,
        "type_error": 0.0,
        **habits,
    }


def ministry(source_id: str, side: str, **habits: Any) -> dict[str, Any]:
    """A party's ministry of defence: its statements never count toward verification."""
    return {
        "id": source_id,
        "kind": "party_statement",
        "side": side,
        "reliability": "E",
        "credibility": [4, 5],
        "delay": {"median": "6h"},
        "location_error_km": 2,
        "precision_m": 3000,
        **habits,
    }


def osint(source_id: str, **habits: Any) -> dict[str, Any]:
    """An open-source channel: poorly graded, it verifies nothing alone."""
    return {
        "id": source_id,
        "kind": "osint",
        "reliability": "E",
        "credibility": [3, 4],
        "delay": {"median": "2h"},
        "location_error_km": 0.3,
        "precision_m": 500,
        **habits,
    }


def experiment(
    chosen: Scenario, runs: int, seed: int = 1, policies: tuple[str, ...] = ("three-phase",)
) -> Experiment:
    variants = []
    for name in policies:
        policy = load_policy(name)
        variants.append(PolicyVariant(policy.name, policy, policy.name))
    return Experiment(chosen, tuple(variants), seed, runs)
