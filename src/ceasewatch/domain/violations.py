"""Each violator's violations in time order: rule 5's repeat clause.

A violator's `count`-th violation within a trailing window is a broad attack, whatever
its kind, and so is every later one in that window. Late reports make this subtle: a
violation learnt of late can push violations already known into broad_attack.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta

from .incidents import Incident
from .policy import Repeat
from .severity import Severity
from .state import State


class ViolationHistory:
    """One violator's violations for rule 5's repeat clause.

    They are kept in order of `violation_at` (ties: in the order they became known); a
    violation is a repeat when it is the `count`-th or later in its trailing window. A
    violation's rank only grows as late ones arrive, and a repeat stays one, so the
    violations not yet repeats are also listed apart: a late violation re-examines only
    those, not every later violation in its window.
    """

    def __init__(self) -> None:
        self._times: list[datetime] = []
        self._incidents: list[Incident] = []
        self._open_times: list[datetime] = []
        self._open: list[Incident] = []

    def add(self, incident: Incident, at: datetime, repeat: Repeat | None) -> list[Incident]:
        """File a violation; return those that became repeats with it, in time order."""
        place = bisect_right(self._times, at)
        self._times.insert(place, at)
        self._incidents.insert(place, incident)
        if repeat is None:
            return []
        within = repeat.within
        repeated = []
        # the new violation first: it comes after every one known at its instant
        pos = bisect_right(self._open_times, at)
        if place - bisect_right(self._times, at - within) + 1 >= repeat.count:
            repeated.append(incident)
        else:
            self._open_times.insert(pos, at)
            self._open.insert(pos, incident)
            pos += 1
        # then the later ones it moved up a place
        while pos < len(self._open) and self._open_times[pos] - at < within:
            other = self._open[pos]
            if self._rank(other, self._open_times[pos], within) >= repeat.count:
                del self._open[pos], self._open_times[pos]
                repeated.append(other)
            else:
                pos += 1
        return repeated

    def _rank(self, incident: Incident, at: datetime, within: timedelta) -> int:
        """Its place among the violations in its trailing window, counting from 1."""
        i = bisect_left(self._times, at)
        while self._incidents[i] is not incident:
            i += 1
        return i - bisect_right(self._times, at - within) + 1


class Violations:
    """Every violator's history, and the incidents its repeat clause made broad attacks."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._repeat = state.policy.severity.broad_attack.repeat
        self._histories: dict[str, ViolationHistory] = {}
        self.repeat_broad: set[int] = set()
        """The `seq` of every incident the repeat clause made a broad attack."""

    def record(self, incident: Incident) -> list[Incident]:
        """File a violation in its violator's history; apply rule 5's repeat clause.

        Returns the earlier-known violations this one pushed into broad_attack (a late
        report can make a later violation the 10th within its trailing window).
        """
        violator, at = incident.perpetrator, incident.violation_at
        assert violator is not None and at is not None
        history = self._histories.get(violator)
        if history is None:
            history = self._histories[violator] = ViolationHistory()
        raised = []
        for other in history.add(incident, at, self._repeat):
            self.repeat_broad.add(other.seq)
            if other.severity < Severity.BROAD_ATTACK:
                other.severity = Severity.BROAD_ATTACK
                self._state.changes.incidents[other.id] = other
                if other is not incident:
                    raised.append(other)
        return raised
