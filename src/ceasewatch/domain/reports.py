"""Reports: one source's account of one event, validated as DESIGN's record says."""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from itertools import repeat
from operator import attrgetter, call
from sys import intern
from types import MemberDescriptorType
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic import dataclasses as pydantic_dataclasses

from .admission import STORED, admitted, is_new
from .events import iso_z
from .instants import Instant
from .printable import printable
from .problems import problems_in
from .text import NO_NUL, Key, Text, Uri

RECEIPT_LEEWAY = timedelta(minutes=5)
"""How far after its receipt a live record may say it was reported: clocks differ a little,
and no more than this may a record push the stored clock past the wall clock."""


class EventType(StrEnum):
    SMALL_ARMS = "small_arms"
    ARTILLERY = "artillery"
    MORTAR = "mortar"
    ROCKET = "rocket"
    MISSILE_STRIKE = "missile_strike"
    AIR_STRIKE = "air_strike"
    DRONE_STRIKE = "drone_strike"
    GROUND_ASSAULT = "ground_assault"
    ARMOUR_MOVEMENT = "armour_movement"
    HEAVY_WEAPONS_IN_ZONE = "heavy_weapons_in_zone"
    MINE = "mine"
    OTHER = "other"


class SourceKind(StrEnum):
    MONITOR = "monitor"
    DEFENDING_FORCES = "defending_forces"
    SENSOR = "sensor"
    SATELLITE = "satellite"
    OSINT = "osint"
    MEDIA = "media"
    PARTY_STATEMENT = "party_statement"


class Target(StrEnum):
    MILITARY = "military"
    CIVILIAN = "civilian"
    INFRASTRUCTURE = "infrastructure"
    ENERGY = "energy"
    UNKNOWN = "unknown"


Reliability = Annotated[str, Field(pattern="^[A-F]$")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Precision = Annotated[int, Field(ge=0, le=20_037_508)]
"""Metres: at most half the Earth's circumference."""


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uri: Uri
    sha256: Annotated[str, Field(pattern="^[0-9a-fA-F]{64}$")]


MAX_EVIDENCE = 1000
"""Pieces of evidence a report may give (new reports: `admission`), or an action done."""


def few_enough(evidence: Sequence[Evidence]) -> None:
    """A ValueError when there are more than `MAX_EVIDENCE` pieces of evidence."""
    if len(evidence) > MAX_EVIDENCE:
        raise ValueError(f"at most {MAX_EVIDENCE:,} pieces of evidence, not {len(evidence):,}")


def _few_enough(evidence: tuple[Evidence, ...], info: ValidationInfo) -> tuple[Evidence, ...]:
    if len(evidence) > MAX_EVIDENCE and admitted(info):  # the length first: it is cheaper
        few_enough(evidence)
    return evidence


Repeated = AfterValidator(intern)
"""For a string that most reports repeat (a source, a party): one copy for all of them."""


@pydantic_dataclasses.dataclass(
    frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="forbid")
)
class Report:
    """A validated report. Times are normalised to UTC.

    A frozen, slotted dataclass that pydantic validates, not a `BaseModel`: an engine holds
    every report it has taken, and a model's per-instance `__dict__` doubled what each one
    costs in memory (issue 15: a million-report replay in under 1 GB). `report_json` and
    `report_record` give what `model_dump_json` and `model_dump` gave.
    """

    id: Key
    source: Annotated[Key, Repeated]
    source_kind: SourceKind | None = None
    reliability: Reliability = "F"
    credibility: Annotated[int, Field(ge=1, le=6)] = 6
    occurred_at: Instant
    reported_at: Instant | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    location_precision_m: Precision | None = None
    event_type: EventType
    perpetrator: (
        Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL), Repeated] | None
    ) = None
    target: Target | None = None
    killed: Count | None = None
    injured: Count | None = None
    text: Text | None = None
    evidence: Annotated[tuple[Evidence, ...], AfterValidator(_few_enough)] = ()

    @model_validator(mode="after")
    def _not_reported_before_it_happened(self) -> Report:
        if self.reported_at is not None and self.occurred_at > self.reported_at:
            raise ValueError("occurred_at must not be in the future of reported_at")
        return self

    @property
    def arrival(self) -> datetime:
        """When the report reached the system: the instant the clock advances to."""
        return self.reported_at if self.reported_at is not None else self.occurred_at

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.id)

    @property
    def casualties(self) -> int:
        return (self.killed or 0) + (self.injured or 0)

    def __getstate__(self) -> tuple[object, ...]:
        """For pickle (snapshots hold every report): the values in one call, where the
        dataclass's own state methods look its fields up again for every report."""
        return _fields_of(type(self))[1](self)  # type: ignore[no-any-return]

    def __setstate__(self, state: tuple[object, ...]) -> None:
        restore(self, _setters_of(type(self)), state)


def _fields_of(cls: type) -> tuple[tuple[str, ...], attrgetter[Any]]:
    """A report class's field names (the API's subclasses add some), and their getter."""
    found = _FIELDS.get(cls)
    if found is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        found = _FIELDS[cls] = (names, attrgetter(*names))
    return found


def _setters_of(cls: type) -> Setters:
    """A report class's setters (the API's subclasses add fields), cached."""
    found = _SETTERS.get(cls)
    if found is None:
        found = _SETTERS[cls] = slot_setters(cls, _fields_of(cls)[0])
    return found


Setters = tuple[Callable[[object, object], None], ...]


def slot_setters(cls: type, names: tuple[str, ...]) -> Setters:
    """A class's setters for these fields, in order, for `restore`: a slot's own
    descriptor, which skips a frozen dataclass's guard and the look-up of each name (a
    subclass without slots keeps its own fields in a dict: those are set by name)."""
    return tuple(_setter(cls, name) for name in names)


def restore(obj: object, setters: Setters, state: tuple[object, ...]) -> None:
    """Set an object's fields from the state pickled for it (a snapshot holds millions)."""
    if len(state) != len(setters):
        name = type(obj).__name__
        raise ValueError(f"{name} state with {len(state)} values, not {len(setters)}")
    deque(map(call, setters, repeat(obj), state), 0)  # each setter called, looped in C


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    attribute = next((vars(k)[name] for k in cls.__mro__ if name in vars(k)), None)
    if isinstance(attribute, MemberDescriptorType):
        return attribute.__set__
    return partial(_set_named, name)


def _set_named(name: str, obj: object, value: object) -> None:
    object.__setattr__(obj, name, value)


_FIELDS: dict[type, tuple[tuple[str, ...], attrgetter[Any]]] = {}
_SETTERS: dict[type, Setters] = {}


_REPORTS = TypeAdapter(Report)
_VALIDATOR = Report.__pydantic_validator__  # type: ignore[attr-defined]
"""The validator itself: `TypeAdapter.validate_json`'s keyword handling costs an eighth
of it, and a replay validates every line."""


def bare(report: Report) -> Report:
    """The report as a store's engines hold it: without its free text and evidence.

    No rule reads them, the journal keeps them, and an engine holds every report it took
    for as long as it lives (in each process that writes or ticks, and in each snapshot):
    a report may carry 20,000 characters and 1,000 pieces of evidence, megabytes a report
    that would otherwise stay in memory for good."""
    if report.text is None and not report.evidence:
        return report
    names, values = _fields_of(type(report))
    state = [
        None if name == "text" else () if name == "evidence" else value
        for name, value in zip(names, values(report), strict=True)
    ]
    held = object.__new__(type(report))
    held.__setstate__(tuple(state))
    return held


def report_json(report: Report, *, exclude_defaults: bool = False) -> str:
    """The report as JSON, its fields in their declared order (`exclude_defaults`: only
    those that differ from their defaults, as the journal keeps it)."""
    return _REPORTS.dump_json(report, exclude_defaults=exclude_defaults).decode()


def report_record(report: Report, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The report as a record of DESIGN's shape: JSON values, no empty fields."""
    record: dict[str, Any] = _REPORTS.dump_python(
        report, mode="json", exclude_none=True, exclude=exclude
    )
    return record


def arrival_order(report: Report) -> tuple[datetime, datetime, str, str]:
    """A total order on reports, so input order within one arrival time cannot matter."""
    return (report.arrival, report.occurred_at, report.source, report.id)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field of one record: what an operator needs to fix it."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"record {self.record}: field {self.field}: {self.message}"


def ahead_of_receipt(report: Report, received_at: datetime, record: str) -> FieldError | None:
    """Whether a report received live says it arrives more than the leeway after it was
    received: taken, it would push the stored clock ahead of the wall clock and hold every
    deadline back (DESIGN, "Live time"). The field named is the one its arrival comes from."""
    if report.arrival - received_at <= RECEIPT_LEEWAY:
        return None
    field = "reported_at" if report.reported_at is not None else "occurred_at"
    return FieldError(
        record,
        field,
        f"{iso_z(report.arrival)} lies more than {RECEIPT_LEEWAY.seconds // 60} minutes after "
        f"the report was received ({iso_z(received_at)}): no report may arrive from the future",
    )


class ReportRejected(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not accepted: where it is and every field that is wrong."""

    where: str
    errors: list[FieldError]

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "errors": [
                {"record": e.record, "field": e.field, "message": e.message} for e in self.errors
            ],
        }

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


def _field_errors(record: str, exc: ValidationError) -> list[FieldError]:
    """Each problem as a field error; the record's own check (a value error of the whole
    record) is about its times, so it names `occurred_at`."""
    kinds = [err["type"] for err in exc.errors(include_url=False)]
    return [
        FieldError(record, problem.path or _WHOLE.get(kind, "(record)"), problem.message)
        for problem, kind in zip(problems_in(exc), kinds, strict=True)
    ]


_WHOLE = {"value_error": "occurred_at"}
"""The field named by an error of the whole record, by its kind."""


NUMBERS = ("credibility", "lat", "lon", "location_precision_m", "killed", "injured")
"""The fields that hold numbers. pydantic takes `true` for 1 and `false` for 0 in them
(its lax mode, which files need: a CSV cell is text): a report may not. They are looked
at in the record only when strict validation failed, not by a validator on each field
(as `yamlfile.NoBoolean` does for policies), which would cost every report a call each."""


def parse_report(
    raw: str | bytes | dict[str, Any], where: str = "?", *, stored: bool = False
) -> Report:
    """Validate one record; `where` names it (e.g. file:line) when it has no usable id.

    A JSON record whose values all have the right JSON types is taken in strict mode
    (the usual case, at no extra cost); any other is validated again in lax mode, which
    also takes a number written as text, less a true or false given for a number.
    `stored`: a journal's body, read as it was admitted (`admission`)."""
    context = STORED if stored else None
    if not isinstance(raw, dict):
        report = valid_report(raw, context)
        if report is not None:
            return report
    data = _loaded(raw)
    booleans = _booleans(data)
    validate = _VALIDATOR.validate_python if isinstance(raw, dict) else _VALIDATOR.validate_json
    try:
        report = validate(raw, context=context)
    except ValidationError as exc:
        record = _record_name(data, where)
        errors = _field_errors(record, exc)
        if booleans:
            others = [e for e in errors if e.field not in booleans]
            errors = _in_field_order([*_boolean_errors(record, booleans), *others])
        raise ReportRejected(errors) from None
    unprintable = [] if stored else _unprintable_names(report)
    if booleans or unprintable:
        record = _record_name(data, where)
        errors = [*_boolean_errors(record, booleans), *_name_errors(record, report, unprintable)]
        raise ReportRejected(_in_field_order(errors))
    return report  # type: ignore[no-any-return]


def valid_report(raw: str | bytes, context: dict[str, Any] | None = None) -> Report | None:
    """The report on a JSON line if every value has its JSON type, or None (`parse_report`
    then validates it again, and says why where it is not valid): a reader's fast path,
    which names no record until one is wrong."""
    try:
        report: Report = _VALIDATOR.validate_json(raw, strict=True, context=context)
    except ValidationError:
        return None
    if not _names_printable(report) and is_new(context):
        return None
    return report


NAMES = ("id", "source", "perpetrator")
"""The fields that name something, shown on one line wherever the report is shown."""


def _names_printable(report: Report) -> bool:
    perpetrator = report.perpetrator or ""
    return report.id.isprintable() and report.source.isprintable() and perpetrator.isprintable()


def _unprintable_names(report: Report) -> list[str]:
    """The names (`NAMES`) of a report that hold a character that is not printable
    (`printable`): a rule of admission, since a name is shown as it is on one line of a
    table, a log or a web page. The store reads back the reports it holds as they are."""
    if _names_printable(report):
        return []
    return [name for name in NAMES if not (getattr(report, name) or "").isprintable()]


def _name_errors(record: str, report: Report, names: list[str]) -> list[FieldError]:
    errors = []
    for name in names:
        value: str = getattr(report, name)
        found = printable("".join(dict.fromkeys(c for c in value if not c.isprintable())))
        message = f"must hold no control or formatting characters (it holds {found})"
        errors.append(FieldError(record, name, message))
    return errors


def _loaded(raw: str | bytes | dict[str, Any]) -> object:
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
        return None


def _booleans(data: object) -> list[str]:
    """The number fields of a record given `true` or `false`."""
    if not isinstance(data, dict):
        return []
    return [name for name in NUMBERS if type(data.get(name)) is bool]


def _boolean_errors(record: str, names: list[str]) -> list[FieldError]:
    return [
        FieldError(record, name, "Input should be a number, not true or false") for name in names
    ]


def _in_field_order(errors: list[FieldError]) -> list[FieldError]:
    """Errors in the order of the report's fields, as pydantic gives its own."""
    order = {f.name: n for n, f in enumerate(dataclasses.fields(Report))}
    return sorted(errors, key=lambda e: order.get(e.field, len(order)))


def _record_name(data: object, where: str) -> str:
    """`where`, and the record's id if its data (`_loaded`) gives one."""
    return record_named(where, data.get("id") if isinstance(data, dict) else None)


def record_named(where: str, rid: object) -> str:
    """How a message names a record: `where`, and its id if it has one, the characters
    that are not printable written out (`printable`): the id is anyone's."""
    return f"{where} (id {printable(rid)})" if isinstance(rid, str) and rid else where
