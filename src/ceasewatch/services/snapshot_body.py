"""A snapshot's body as a series of pickles: the incidents (with their reports) a few
thousand at a time, then everything that refers to them.

Pickle keeps every object it has made in its memo until the pickle ends, so that a later
reference can name it; that includes the state each report and incident is rebuilt from
(a tuple of its values), which nothing needs once the object is built. In one pickle of
a million reports those tuples were hundreds of megabytes held at once, and left the
heap in holes: a body unpickled to nearly twice what the engines it made hold. Here
each chunk of incidents is a pickle of its own, whose memo goes when the chunk is read;
the chunks and the last pickle name an incident or report of an earlier chunk by its
place (a persistent id: an integer, which pickle does not keep in its memo).

Places are numbered in one sequence, chunk after chunk: the chunk's incidents in the
order written, the reports first met in them (in order, each once: a report may be in
two incidents, or in two engines' incidents), and the instant each incident became a
violation at, which the rule-5 and rule-7 indexes hold too (`_Places`). Each chunk is
written with its list of first-met reports, so the reader places them without working
out which of its reports earlier chunks held.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from ..domain.incidents import Incident
from ..domain.reports import Report

CHUNK = 5_000
"""Incidents a pickle: what the unpickler holds beside what it has made."""

PROTOCOL = pickle.HIGHEST_PROTOCOL


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...

    def readline(self) -> bytes: ...


def dump(file: Writable, incidents: list[Incident], values: list[object]) -> None:
    """Write the body: `incidents` (every one that `values` refers to, each once) in
    chunks, then `values`.

    A value that maps incidents by their ids (an engine's `incidents`) is written as the
    list of its incidents, and made again from them when read: its keys are then the
    incidents' own id strings, as in an engine fed the journal, not a copy of each
    (pickle writes a string once per pickle, and the incidents were in others)."""
    chunks = [incidents[start : start + CHUNK] for start in range(0, len(incidents), CHUNK)]
    pickle.Pickler(file, protocol=PROTOCOL).dump(len(chunks))
    places = _Places()
    for chunk in chunks:
        placed, first_met, shares = places.of(chunk)
        # a chunk whose reports are all its own names nothing by place: the plain pickler
        # spares a call for each object written
        pickler = _Pickler(file, places.pids) if shares else pickle.Pickler(file, PROTOCOL)
        pickler.dump((chunk, first_met))
        places.pids.update(placed)
    by_id = [n for n, value in enumerate(values) if _by_their_ids(value)]
    listed = set(by_id)
    written = [
        list(value.values()) if n in listed and isinstance(value, dict) else value
        for n, value in enumerate(values)
    ]
    _Pickler(file, places.pids).dump((written, by_id))


def load(file: Readable) -> list[object]:
    """Read what `dump` wrote (building only the classes a snapshot may name)."""
    count = SnapshotUnpickler(file).load()
    if not isinstance(count, int) or count < 0:
        raise ValueError("not a snapshot's body")
    placed: list[Any] = []
    for _ in range(count):
        data = _Reading(file, placed).load()
        if not isinstance(data, tuple) or len(data) != 2:
            raise ValueError("not a chunk of incidents")
        chunk, first_met = data
        if not isinstance(chunk, list) or not all(type(i) is Incident for i in chunk):
            raise ValueError("not a chunk of incidents")
        if not isinstance(first_met, list) or not all(type(r) is Report for r in first_met):
            raise ValueError("not the reports of a chunk of incidents")
        placed += chunk
        placed += first_met
        placed.extend(_instants(chunk))
    data = _Reading(file, placed).load()
    if not isinstance(data, tuple) or len(data) != 2:
        raise ValueError("not a snapshot's body")
    values, by_id = data
    if not isinstance(values, list) or not isinstance(by_id, list):
        raise ValueError("not a snapshot's body")
    for n in by_id:
        listed = values[n] if type(n) is int and 0 <= n < len(values) else None
        if not isinstance(listed, list) or not all(type(i) is Incident for i in listed):
            raise ValueError("not a list of incidents in a snapshot's body")
        values[n] = {incident.id: incident for incident in listed}
    return values


def _by_their_ids(value: object) -> bool:
    """Whether `value` is a dict of incidents, each under its own id string."""
    return (
        type(value) is dict
        and len(value) > 0
        and all(type(i) is Incident and key is i.id for key, i in value.items())
    )


class _Places:
    """The persistent id of each object placed so far, by identity: its place."""

    def __init__(self) -> None:
        self.pids: dict[int, int] = {}
        self._count = 0
        """Objects placed: one object placed twice (an instant two incidents share) takes
        two places, as the reader counts them."""

    def of(self, chunk: Sequence[Incident]) -> tuple[dict[int, int], list[Report], bool]:
        """The places of a chunk's incidents, of the reports first met in them and of
        their instants (to add to `pids` once the chunk is written), those reports, and
        whether the chunk shares a report with an earlier one."""
        pids = self.pids
        earlier = {id(r) for i in chunk for r in i.reports if id(r) in pids}
        first_met = list(_first_met(chunk, earlier))
        objects = (*chunk, *first_met, *_instants(chunk))
        placed = {id(obj): self._count + n for n, obj in enumerate(objects)}
        self._count += len(objects)
        return placed, first_met, bool(earlier)


def _instants(chunk: Sequence[Incident]) -> Iterator[datetime]:
    """The instants a chunk's incidents became violations at (the same objects that
    rules 5 and 7 file them by)."""
    return (i.violation_at for i in chunk if i.violation_at is not None)


def _first_met(chunk: Sequence[Incident], earlier: set[int]) -> Iterator[Report]:
    """The reports of a chunk's incidents, in order, each once, less those of earlier
    chunks (by id): the order they are placed in (the writer lists them with the chunk)."""
    met: set[int] = set(earlier)
    for incident in chunk:
        for report in incident.reports:
            if id(report) not in met:
                met.add(id(report))
                yield report


class _Pickler(pickle.Pickler):
    """Writes an incident or report of an earlier chunk as its persistent id (`pids`)."""

    def __init__(self, file: Writable, pids: dict[int, int]) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self._pid = pids.get

    def persistent_id(self, obj: Any) -> int | None:  # called for every object written
        return self._pid(id(obj))


_ALLOWED = {
    "builtins": {"set", "frozenset", "dict", "list", "tuple", "getattr", "object"},
    "copyreg": {"_reconstructor", "__newobj__", "__newobj_ex__"},
    "collections": {"defaultdict", "OrderedDict", "deque"},
    "datetime": {"datetime", "timedelta", "timezone", "date", "time"},
    "zoneinfo": {"ZoneInfo"},
    "decimal": {"Decimal"},
    "pathlib": {"PurePosixPath", "PosixPath"},
    "shapely.io": {"from_wkb"},
    "shapely.geometry.polygon": {"Polygon"},
    "shapely.geometry.multipolygon": {"MultiPolygon"},
}
"""What a snapshot may name besides ceasewatch's domain classes."""
_PYDANTIC = {"BaseModel", "_model_construction", "PydanticUndefined"}


class SnapshotUnpickler(pickle.Unpickler):
    """Builds only the domain's classes and the standard types above: a tampered
    snapshot cannot name `os.system` or any other callable."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("ceasewatch.domain.") or name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module.startswith("pydantic") and name in _PYDANTIC:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a snapshot may not name {module}.{name}")


class _Reading(SnapshotUnpickler):
    """Reads a pickle whose persistent ids are places among the objects placed so far."""

    def __init__(self, file: Readable, placed: list[Any]) -> None:
        super().__init__(file)
        self._placed = placed

    def persistent_load(self, pid: Any) -> Any:  # called for every object placed earlier
        placed = self._placed
        if type(pid) is int and 0 <= pid < len(placed):
            return placed[pid]
        raise pickle.UnpicklingError("not a place read so far in a snapshot's body")
