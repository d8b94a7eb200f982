"""The reports' one stylesheet, `templates/report.css`: the daily report's template includes
it, and pages built without a template (the simulation's report.html) inline it from here,
so that every report looks the same and the rules live in one file."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def stylesheet() -> str:
    css = resources.files("ceasewatch.reports") / "templates" / "report.css"
    return css.read_text(encoding="utf-8")
