"""Writes that a worker of `serve --workers N` hands to the writer process to run.

A process that changes the protocol's state first feeds its engines everything journaled
since its last change (`LiveProtocol.catch_up`): in a server's worker, every report the
writer took meanwhile, and, the first time, the whole body of the snapshot it started
from. So a worker that ran an analyst's verdict itself stalled for the seconds that costs
(about 2 s at 200,000 reports) and then held the engines for good (300 MB there, about
1 GB a million reports), each worker once more. The writer holds them already, and is
caught up: it runs each of these in milliseconds, and the workers hold no engines.

`in_the_writer` marks such a service function. Where the system has a writer to hand to
(`System.hand_off`, set by the API in a server's worker), it goes there by name, with its
arguments, and its answer or refusal comes back; anywhere else it runs here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from .system import System

P = ParamSpec("P")
R = TypeVar("R")

HANDED: dict[str, Callable[..., Any]] = {}
"""The functions the writer may be asked to run, by name: no other."""


def in_the_writer(
    function: Callable[Concatenate[System, P], R],
) -> Callable[Concatenate[System, P], R]:
    name = f"{function.__module__}.{function.__qualname__}"
    HANDED[name] = function

    @wraps(function)
    def run(system: System, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if system.hand_off is None:
            return function(system, *args, **kwargs)
        return cast(R, system.hand_off(name, args, kwargs))

    return run


def run_here(system: System, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run a handed function in this process (the writer, or a worker that cannot reach
    it); a name that is not one of them is a `LookupError`."""
    function = HANDED.get(name)
    if function is None:
        raise LookupError(f"{name} is not a function the writer runs")
    return function(system, *args, **kwargs)
