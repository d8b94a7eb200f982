"""The scenarios shipped inside the package, and scenario files, read from disk."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..config import unreadable
from .scenario import Scenario, ScenarioInvalid, parse_scenario


class ScenarioNotFound(ValueError):
    """Neither a shipped scenario's name nor a readable file."""


def shipped_scenarios() -> list[str]:
    folder = resources.files("ceasewatch") / "sim" / "scenarios"
    names = (p.name for p in folder.iterdir())
    return sorted(n.removesuffix(".yaml") for n in names if n.endswith(".yaml"))


def scenario_text(name_or_path: str) -> tuple[str, str]:
    """The YAML text of a shipped scenario (by name) or a scenario file, and its origin."""
    if name_or_path in shipped_scenarios():
        resource = resources.files("ceasewatch") / "sim" / "scenarios" / f"{name_or_path}.yaml"
        return resource.read_text(encoding="utf-8"), f"{name_or_path} (shipped)"
    path = Path(name_or_path)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        why = unreadable(name_or_path, path, exc, "scenario", shipped_scenarios())
        raise ScenarioNotFound(why) from None


def load_scenario(name_or_path: str) -> Scenario:
    """Raises ScenarioNotFound, or ScenarioInvalid with every problem and its line."""
    text, origin = scenario_text(name_or_path)
    return parse_scenario(text, origin)


__all__ = ["ScenarioInvalid", "ScenarioNotFound", "load_scenario", "shipped_scenarios"]
