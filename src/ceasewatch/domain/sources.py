"""The source registry: who reports, of what kind, how reliable, in which independence group.

Rule 6 counts independence groups and trusts one well-graded report from a monitor, a
sensor or a satellite. Neither can rest on what a report says of itself: anyone can name
a source `monitor` and grade it `A`, and two channels reposting one newsroom are one
voice, not two. So where a source is declared here, its kind, its reliability (and its
credibility, if the registry gives one) and its group come from the registry, not from
the report; an undeclared source is a group of its own, graded by its reports.

The registry changes over time (sources are declared and regraded), and a report is
judged by the registry as it stood when the report arrived: what was verified on a
source's word stays verified when the source is downgraded later, and a rebuild from
the journal judges every report as it was judged live.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .problems import problems_in
from .reports import Reliability, Report, SourceKind
from .text import Key
from .yamlfile import DocumentInvalid, Loc, NoBoolean, Problem, line_of, load_yaml

VOUCHED_KINDS = frozenset({SourceKind.MONITOR, SourceKind.SENSOR, SourceKind.SATELLITE})
"""Kinds a sender may not give itself: a report from one of them can verify alone."""
VOUCHED_RELIABILITY = frozenset({"A", "B"})
"""Grades a sender may not give itself, for the same reason."""


class Source(BaseModel):
    """One declared source. Left out: no kind (it cannot verify alone), reliability F,
    credibility as each report gives it, and a group of its own (its id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Key
    kind: SourceKind | None = None
    reliability: Reliability = "F"
    credibility: Annotated[int, NoBoolean, Field(ge=1, le=6)] | None = None
    group: Key | None = Field(None, description="Its independence group (default: its id).")

    @model_validator(mode="before")
    @classmethod
    def _own_group_by_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("group") is None and "id" in data:
            return {**data, "group": data["id"]}
        return data

    @property
    def independence_group(self) -> str:
        return self.group or self.id

    def grading(self) -> dict[str, Any]:
        """The report fields the registry decides for this source, as a record holds them."""
        out: dict[str, Any] = {
            "source_kind": self.kind.value if self.kind else None,
            "reliability": self.reliability,
        }
        if self.credibility is not None:
            out["credibility"] = self.credibility
        return out

    def as_record(self) -> dict[str, Any]:
        """As a sources file writes it: the fields given, no defaults."""
        return self.model_dump(mode="json", exclude_none=True)


class Registry:
    """The sources declared so far. Declaring one again regrades it; none is ever removed
    (reports were judged by it), though it may be regraded down to nothing (reliability F,
    no kind)."""

    def __init__(self, sources: Iterable[Source] = ()) -> None:
        self._by_id: dict[str, Source] = {}
        self.declare(sources)

    def declare(self, sources: Iterable[Source]) -> list[Source]:
        """Add or regrade sources; returns those that changed."""
        changed = self.changes(sources)
        for source in changed:
            self._by_id[source.id] = source
        return changed

    def changes(self, sources: Iterable[Source]) -> list[Source]:
        """Those of `sources` that differ from what the registry holds (the last of any
        named twice)."""
        latest = {s.id: s for s in sources}
        return [s for s in latest.values() if self._by_id.get(s.id) != s]

    def get(self, source_id: str) -> Source | None:
        return self._by_id.get(source_id)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._by_id

    def __iter__(self) -> Iterator[Source]:
        return iter(sorted(self._by_id.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __bool__(self) -> bool:
        return bool(self._by_id)


class History:
    """The registry's declarations in journal order: what it said of a source at any point.

    Each declaration carries the journal number of the command that made it; a report is
    judged by the declarations numbered before its own.
    """

    def __init__(self, declarations: Iterable[tuple[int, Iterable[Source]]] = ()) -> None:
        self._seqs: dict[str, list[int]] = {}
        self._entries: dict[str, list[Source]] = {}
        for seq, sources in sorted(declarations, key=lambda d: d[0]):
            for source in sources:
                self._seqs.setdefault(source.id, []).append(seq)
                self._entries.setdefault(source.id, []).append(source)

    def at(self, source_id: str, seq: int) -> Source | None:
        """The registry's entry for a source just before journal number `seq`."""
        seqs = self._seqs.get(source_id)
        if seqs is None:
            return None
        place = bisect_left(seqs, seq)
        return self._entries[source_id][place - 1] if place else None


def weighed(report: Report, entry: Source | None) -> tuple[SourceKind | None, str, int]:
    """A report's kind, reliability and credibility as rule 6 weighs them: the registry's
    `entry` for its source where there is one (its credibility, if it gives one), else the
    report's own."""
    if entry is None:
        return report.source_kind, report.reliability, report.credibility
    credibility = report.credibility if entry.credibility is None else entry.credibility
    return entry.kind, entry.reliability, credibility


def judged(record: dict[str, Any], entry: Source | None) -> dict[str, Any]:
    """A stored report as rule 6 weighed it: the registry's kind and grades in place of the
    report's own, with its independence `group`, and under `claims` what the report said
    of itself where the registry said otherwise (the journal keeps the report as sent)."""
    if entry is None:
        return {**record, "group": record["source"]}
    out = dict(record)
    claims: dict[str, Any] = {}
    for name, value in entry.grading().items():
        if name in record and record[name] != value:
            claims[name] = record[name]
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    out["group"] = entry.independence_group
    if claims:
        out["claims"] = claims
    return out


def self_graded_problems(report: Report) -> list[tuple[str, str]]:
    """What a sender no registry entry vouches for may not claim, as (field, why): the
    kinds and grades that let one report verify alone."""
    problems = []
    if report.source_kind in VOUCHED_KINDS:
        problems.append(
            (
                "source_kind",
                f"{report.source_kind.value} may be claimed only by a source the registry "
                "declares so (a reporter bound to it)",
            )
        )
    if report.reliability in VOUCHED_RELIABILITY:
        problems.append(
            (
                "reliability",
                f"reliability {report.reliability} may be given only by the source registry "
                "(a reporter bound to a declared source)",
            )
        )
    return problems


# -- sources files and bodies ---------------------------------------------------------


class SourcesInvalid(DocumentInvalid):
    what = "sources file"


class SourceProblem(Problem):
    """A problem with one entry (`entry`, e.g. `sources.1 (chan-b)`) and `field` of it."""

    entry: str
    field: str


class SourcesFile(BaseModel):
    """A sources file: `sources: [{id, kind, reliability, group}, ...]`."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Source]


def parse_sources(text: str, origin: str) -> list[Source]:
    """Validate a sources file (`sources:` and a list, or the list alone); each problem
    names its line, the entry (by place and id) and the field."""
    data, root = load_yaml(text, origin, SourcesInvalid)
    inside = 0 if isinstance(data, list) else 1  # a list alone has no `sources` step
    return _validated(data, origin, lambda loc: line_of(root, loc[1 - inside :]))


def sources_from(data: Any, origin: str = "body") -> list[Source]:
    """Validate sources given as data (a list, or a mapping with `sources:`)."""
    return _validated(data, origin, lambda loc: None)


def _validated(data: Any, origin: str, line: Callable[[Loc], int | None]) -> list[Source]:
    if isinstance(data, list):
        data = {"sources": data}
    if not isinstance(data, dict):
        problem = Problem(path="", line=1, message="not a list of sources, nor `sources:` and one")
        raise SourcesInvalid(origin, _named([problem], None))
    try:
        listed = SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        raise SourcesInvalid(origin, _named(problems_in(exc, line), data)) from None
    _refuse_twice(listed, origin, line)
    return listed


def _refuse_twice(listed: list[Source], origin: str, line: Callable[[Loc], int | None]) -> None:
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for index, source in enumerate(listed):
        if source.id in first:
            loc: Loc = ("sources", index, "id")
            problems.append(
                _problem(
                    index,
                    source.id,
                    "id",
                    line(loc),
                    f"{source.id} is declared twice (first at sources.{first[source.id]})",
                )
            )
        first.setdefault(source.id, index)
    if problems:
        raise SourcesInvalid(origin, problems)


def _named(problems: list[Problem], data: Any) -> list[Problem]:
    """Name each problem's entry by its place and its id, and its field apart."""
    entries = data.get("sources") if isinstance(data, dict) else None
    out: list[Problem] = []
    for problem in problems:
        parts = problem.path.split(".") if problem.path else []
        if len(parts) >= 2 and parts[0] == "sources" and parts[1].isdigit():
            index = int(parts[1])
            raw = entries[index] if isinstance(entries, list) and index < len(entries) else None
            rid = raw.get("id") if isinstance(raw, dict) else None
            field = ".".join(parts[2:]) or "(entry)"
            out.append(_problem(index, rid, field, problem.line, problem.message))
        else:
            out.append(
                SourceProblem(
                    path=problem.path,
                    line=problem.line,
                    message=problem.message,
                    entry="(file)",
                    field=problem.path or "(document)",
                )
            )
    return out


def _problem(index: int, rid: object, field: str, line: int | None, message: str) -> Problem:
    entry = f"sources.{index}" + (f" ({rid})" if isinstance(rid, str) and rid else "")
    return SourceProblem(
        path=f"{entry}: field {field}", line=line, message=message, entry=entry, field=field
    )
