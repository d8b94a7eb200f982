"""What an import will do, decided before anything is stored: which reports to take,
which stored ones to withdraw, how many rows are stale.

Most formats take every report they read (`take_all`). A versioned format (ACLED) also
looks at what earlier imports of its source stored (`Previous`) and plans the versions
that replace or delete them; the import service reads `Previous` from the store and
carries the plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..domain.reports import Report


@dataclass(frozen=True, slots=True)
class Previous:
    """What earlier imports of one source stored."""

    reports: Sequence[tuple[str, datetime]]
    """Each stored report's id and when it occurred, in the order the store lists them."""
    withdrawn: Set[str]
    """The ids among them withdrawn already."""


@dataclass(frozen=True, slots=True)
class Withdraw:
    """A stored report the import withdraws, and why."""

    report_id: str
    reason: str


@dataclass
class Plan:
    reports: list[Report]
    """The reports to store."""
    withdrawals: list[Withdraw] = field(default_factory=list)
    stale: int = 0
    """Rows not stored because a newer version of them is stored or in the file."""


Planner = Callable[[list[Report], Any, Previous, str, Mapping[str, bool]], Plan]
"""(reports read, the mapping, what earlier imports stored, the file's path, the
format's options) -> the plan."""


def take_all(reports: list[Report]) -> Plan:
    """The plan of a format without versions: store every report read."""
    return Plan(list(reports))
