"""Forms into what the services take: a report record, a reason (validated as the API does)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import FormData

from ..domain.text import Reason

REPORT_FIELDS = (
    "id",
    "source",
    "source_kind",
    "reliability",
    "credibility",
    "occurred_at",
    "lat",
    "lon",
    "location_precision_m",
    "event_type",
    "perpetrator",
    "target",
    "killed",
    "injured",
    "text",
)
NUMBERS = {"lat": float, "lon": float}
WHOLE = ("credibility", "location_precision_m", "killed", "injured")
_reason = TypeAdapter(Reason)


def new_report_id() -> str:
    """A form's report id, made when the form is shown: sending it twice stores it once."""
    return f"web-{uuid.uuid4().hex[:16]}"


def report_record(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The record the form describes (blank fields left out, as the API's JSON would), and
    what was typed, to show the form again."""
    typed = {name: str(form.get(name) or "").strip() for name in REPORT_FIELDS}
    record: dict[str, Any] = {}
    for name, text in typed.items():
        if not text:
            continue
        record[name] = _number(name, text)
    if "occurred_at" in record and _naive(record["occurred_at"]):
        seconds = "" if record["occurred_at"].count(":") >= 2 else ":00"
        record["occurred_at"] = record["occurred_at"] + seconds + "Z"
    return record, typed


def _number(name: str, text: str) -> Any:
    """A number where the record has one; text that is not a number stays text, so the
    record's validation names the field."""
    try:
        if name in NUMBERS:
            return float(text)
        if name in WHOLE:
            return int(text)
    except ValueError:
        return text
    return text


def _naive(text: str) -> bool:
    """`2026-03-05T09:30` from a datetime-local field: the form says it is UTC."""
    tail = text[10:]
    return "T" in text and not (tail.endswith("Z") or "+" in tail or "-" in tail)


def reason(value: object) -> str | None:
    """The reason given, or None when it is blank or too long."""
    try:
        return _reason.validate_python(value.strip() if isinstance(value, str) else "")
    except ValidationError:
        return None
