"""Attributes a snapshot leaves out of an object, loaded the first time one is read.

Most of an engine's state grows with the journal: its incidents, the indexes of rules 6
and 7, the violation histories, the reports it has seen (`Engine.bulk` names them). A
process that only ticks needs none of it: timers read cases and their actions. So a
snapshot saves those attributes apart, and a process starting from it gets the objects
without them, each marked `Pending`. Reading a missing attribute of such an object
(Python then calls `__getattr__`) runs the load, which puts back every attribute the
snapshot left out, on every object, before the read goes on: the objects then are what
they were when the snapshot was taken, as if they had never been apart.

While they are apart nothing can change them (they are not there to change), so a value
derived from them alone, worked out as the snapshot was taken, still holds: `held`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any


class Pending:
    """How to bring back what a snapshot left out, and the values derived from it."""

    __slots__ = ("held", "load")

    def __init__(self, load: Callable[[], object], held: dict[str, Any]) -> None:
        self.load = load
        self.held = held


class Deferred:
    """An object some of whose attributes may be left out until first read."""

    __slots__ = ("_pending",)
    _pending: Pending | None

    def held(self, name: str) -> Any:
        """What `name` was as the snapshot was taken, while the attributes it derives from
        are left out (None: they are here; work it out from them)."""
        try:
            pending = object.__getattribute__(self, "_pending")
        except AttributeError:
            return None
        return None if pending is None else pending.held.get(name)

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            """Only reached for an attribute the object lacks: perhaps one left out."""
            if name == "_pending" or name.startswith("__"):
                raise AttributeError(name)
            try:
                pending = object.__getattribute__(self, "_pending")
            except AttributeError:
                pending = None
            if pending is None:
                raise AttributeError(name)
            pending.load()
            return object.__getattribute__(self, name)
