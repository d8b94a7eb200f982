"""What a snapshot's front leaves out, put back the first time something reads it.

A process starts from a snapshot's front (`snapshots.load`); the objects it holds lack
the attributes that grow with the journal (`Engine.bulk`), and their body is read only
when one of them is: `Body`, which reads the body's parts one at a time through the
transaction in progress, each checked against the digest the front holds for it.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..store import tables
from . import snapshot_body
from .compressed import Inflating


class Unreadable(RuntimeError):
    """A snapshot's body did not unpickle to what it should, once something needed it."""

    def __init__(self, seq: int, why: str) -> None:
        super().__init__(
            f"snapshot {seq} cannot be read ({why}): it is deleted, and the next "
            "command rebuilds the engines from the journal; run this one again"
        )
        self.seq = seq


@dataclass(frozen=True, slots=True)
class Marker:
    """Where the front leaves an attribute out: the body's value `n`."""

    n: int
    held: dict[str, Any]


class Body:
    """A snapshot's body: the attributes its front left out, unpickled and put back in
    place at the first `load`.

    Until then each object missing some of them is of a subclass of its own class
    (`_pending_class`, the same layout) whose `__getattr__`, which Python calls only for
    an attribute an object lacks, runs `load`; a value derived from what is missing
    alone (`Engine.summary`) is answered as it was when the snapshot was taken (nothing
    can change what is not loaded). `load` puts every attribute back, on every object,
    and gives each its own class again: the objects are then what they were when the
    snapshot was taken, and the domain's classes carry no hook at all.
    """

    def __init__(self, seq: int, digests: tuple[bytes, ...]) -> None:
        self.seq = seq
        self._digests = digests
        self.connection: Connection | None = None
        """Where the body is read when something needs it: the connection of the
        transaction that last brought the engines up to the journal (`LiveProtocol.catch_up`
        sets it; closed once that transaction ends)."""
        self._places: list[tuple[object, str, int]] = []
        self._owners: dict[int, tuple[object, type]] = {}
        self._held: dict[int, dict[str, Any]] = {}
        self._classes: dict[tuple[type, frozenset[str]], type] = {}
        self.loaded = False
        self.failed = False

    def leave_out(self, owner: object, name: str) -> None:
        """Take an attribute the front holds a marker for off its owner (`seal` then
        makes the owners load the body when anything missing is read)."""
        marker = getattr(owner, name)
        if not isinstance(marker, Marker):
            raise ValueError(f"{type(owner).__name__}.{name} is not left out")
        delattr(owner, name)
        self._places.append((owner, name, marker.n))
        self._owners.setdefault(id(owner), (owner, type(owner)))
        self._held.setdefault(id(owner), {}).update(marker.held)

    def seal(self) -> None:
        for key, (owner, cls) in self._owners.items():
            pending = self._pending_class(cls, frozenset(self._held[key]))
            object.__setattr__(owner, "__class__", pending)

    def _pending_class(self, cls: type, held: frozenset[str]) -> type:
        made = self._classes.get((cls, held))
        if made is None:
            body = self

            def __getattr__(obj: object, name: str) -> Any:
                if name.startswith("__"):
                    raise AttributeError(name)
                body.load()
                return getattr(obj, name)

            def answer(name: str) -> property:
                return property(lambda obj: body._held[id(obj)][name])

            namespace: dict[str, Any] = {"__slots__": (), "__getattr__": __getattr__}
            namespace.update((name, answer(name)) for name in held)
            made = type(f"Pending{cls.__name__}", (cls,), namespace)
            self._classes[(cls, held)] = made
        return made

    def load(self, connection: Connection | None = None) -> None:
        """Put back what was left out (once), reading the body through `connection`, or
        else the one the body was given."""
        if self.loaded:
            return
        if self.failed:
            raise Unreadable(self.seq, "it failed before")
        connection = connection or self.connection
        if connection is None or connection.closed:
            raise RuntimeError(f"snapshot {self.seq}: its body is read outside a transaction")
        file = Inflating(read_parts(connection, self.seq, self._digests))
        try:
            with gc_paused():
                values = snapshot_body.load(file)
                if len(values) != 1 + max((n for _, _, n in self._places), default=-1):
                    raise ValueError("not a snapshot's body")
        except SQLAlchemyError:  # the database failed, not the snapshot
            raise
        except Exception as exc:  # the journal is always there to fall back on
            self.failed = True
            raise Unreadable(self.seq, str(exc)) from exc
        for owner, name, n in self._places:
            setattr(owner, name, values[n])
        for owner, cls in self._owners.values():
            object.__setattr__(owner, "__class__", cls)
        self._places, self._owners, self._held, self.loaded = [], {}, {}, True
        self.connection = None


def read_parts(conn: Connection, seq: int, digests: tuple[bytes, ...]) -> Iterator[bytes]:
    """A snapshot's body, compressed, a part at a time as it is asked for, each checked
    against the digest its front holds."""
    p = tables.snapshot_parts
    for n, digest in enumerate(digests):
        query = sa.select(p.c.data).where(p.c.snapshot == seq, p.c.part == n)
        data = conn.execute(query).scalar()
        if data is None:
            raise ValueError(f"part {n} of its body is missing")
        data = bytes(data)
        if hashlib.sha256(data).digest() != digest:
            raise ValueError(f"part {n} of its body does not match its digest")
        yield data


class gc_paused:
    """Pause the cyclic GC while a snapshot's many objects are made or walked (as replay
    does): each young collection would walk them all again."""

    def __enter__(self) -> None:
        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *_: object) -> None:
        gc.freeze()
        gc.unfreeze()
        if self._was:
            gc.enable()
