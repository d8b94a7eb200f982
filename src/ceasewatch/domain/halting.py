"""Rule 7, halting the breach: the other side's fire near a breach, soon after it.

Such fire is recorded on the violator's case instead of counting as a violation of its
own. It is judged once, as the incident is verified, against the cases open then.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import NamedTuple

from . import events as ev
from .cases import Case
from .geo import EARTH_RADIUS_KM
from .incidents import Incident, Status, precision_km
from .spacetime import KM_PER_DEGREE_LAT, SLACK_KM, Timelines
from .state import State


class _Breach(NamedTuple):
    """A violation of a case, filed where rule 7 looks for the fire that answered it (its
    time is beside it in the timeline). A replay holds one for most reports it takes."""

    incident: Incident
    lat: float
    lon: float
    precision_km: float
    cos_lat: float
    """The cosine of the latitude, for the haversine: worked out once."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its incident, the place among its reports of the one it was filed
        at, and the cosine: read back, its latitude, longitude and radius are that
        report's own objects again, as when it was filed (pickle writes a float anew
        each time it meets one: at a million reports, about 70 MB of copies)."""
        for place, report in enumerate(self.incident.reports):
            same_place = report.lat is self.lat and report.lon is self.lon
            if same_place and precision_km(report) == self.precision_km:
                return _filed_at, (self.incident, place, self.cos_lat)
        return _Breach, tuple(self)


def _filed_at(incident: Incident, place: int, cos_lat: float) -> _Breach:
    """A breach filed at the incident's report at `place` (`_Breach.__reduce__`)."""
    report = incident.reports[place]
    return _Breach(incident, report.lat, report.lon, precision_km(report), cos_lat)


class Halting:
    """The breaches of open cases, filed by place and time, and the search among them."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._rule = state.policy.defensive_response
        self._enabled = self._rule.enabled
        self._within = self._rule.within
        self._never = (
            frozenset(self._rule.excluded_event_types),
            frozenset(self._rule.excluded_targets),
        )
        self._breaches: Timelines[_Breach] = Timelines()
        """The violations of open cases, by case number (rule 7's search)."""

    def halts_breach(self, incident: Incident) -> bool:
        """Whether this verified fire halts a breach of an open case: if so, it is filed
        on that case (a `defensive_response` event) and counts as no violation."""
        if not self._enabled or not self._state.open:
            return False
        types, targets = self._never
        for report in incident.reports:
            if report.event_type in types or report.target in targets:
                return False
        found = self._breach_answered(incident)
        if found is None:
            return False
        case, breach, gap = found
        incident.response_to = case.id
        case.responses.append(incident)
        self._state.emit(
            case,
            ev.DEFENSIVE_RESPONSE,
            incident=incident.id,
            party=incident.perpetrator,
            occurred_at=ev.iso_z(incident.occurred_at),
            breach=breach.id,
            distance_km=round(gap, 1),
        )
        return True

    def _breach_answered(self, incident: Incident) -> tuple[Case, Incident, float] | None:
        """The open case (oldest first) with a violation this fire may answer, the
        nearest such violation (ties: the older), and the distance between them.

        Nearest first: the breaches in the fire's own grid cell are measured, and then
        only the other cells that the nearest distance found so far can reach (the
        whole radius when there was none): in a dense war the nearest breach is a few
        kilometres off, and most of the cells within the radius are never looked at.
        Which breach is chosen does not depend on the order they are measured in.
        """
        assert incident.violation_at is not None
        first = incident.first
        at = incident.violation_at
        precision = precision_km(first)
        radius = self._rule.radius_km
        lo = at - self._within
        violator = incident.perpetrator
        others = [c for v, c in self._state.open.items() if v != violator]
        if len(others) > 1:
            others.sort(key=_seq)
        lat, lon = first.lat, first.lon
        breaches = self._breaches
        for case in others:
            near = breaches.home(case.seq, lat, lon, lo, at)
            best = _nearest(near, lat, lon, precision, radius, None)
            reach_km = (radius if best is None else best[0]) + precision
            beyond = breaches.between(case.seq, lat, lon, lo, at, reach_km, beyond_home=True)
            best = _nearest(beyond, lat, lon, precision, radius, best)
            if best is not None:
                return case, best[2], best[0]
        return None

    def file(self, case: Case, incident: Incident) -> None:
        """File a violation of an open case where later fire is searched against."""
        if not self._enabled:
            return
        assert incident.violation_at is not None
        first = incident.first
        precision = precision_km(first)
        breach = _Breach(incident, first.lat, first.lon, precision, cos(radians(first.lat)))
        self._breaches.add(case.seq, first.lat, first.lon, incident.violation_at, precision, breach)

    def drop(self, case: Case) -> None:
        """A case closed: its breaches are answered by no later fire."""
        self._breaches.drop(case.seq)


def _seq(case: Case) -> int:
    return case.seq


def _nearest(
    breaches: list[_Breach],
    lat: float,
    lon: float,
    precision: float,
    radius: float,
    best: tuple[float, int, Incident] | None,
) -> tuple[float, int, Incident] | None:
    """The nearest verified breach within `radius` of the point (ties: the older), or
    `best` if it is nearer: as (distance, seq, incident).

    The distance is `haversine_km`'s, worked out inline with the cosines of the
    breaches' latitudes kept from when they were filed (the same arithmetic, so the
    same figures): this runs for every verified fire while cases are open.
    """
    if not breaches:
        return best
    p1 = radians(lat)
    cos_p1 = cos(p1)
    # the distance is at least the difference in latitude: rule most out cheaply, by
    # the radius and then by the nearest distance found so far (strictly: a breach as
    # near as that, and older, may still win)
    limit_km = radius if best is None else best[0]
    reach_deg = (limit_km + precision + SLACK_KM) / KM_PER_DEGREE_LAT
    for breach in breaches:
        breach_lat = breach.lat
        if abs(breach_lat - lat) > reach_deg + breach.precision_km / KM_PER_DEGREE_LAT:
            continue
        other = breach.incident
        if other.status is not Status.VERIFIED:
            continue
        a = (
            sin((radians(breach_lat) - p1) / 2) ** 2
            + cos_p1 * breach.cos_lat * sin(radians(breach.lon - lon) / 2) ** 2
        )
        gap = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))
        gap = max(0.0, gap - precision - breach.precision_km)
        if gap <= radius and (best is None or (gap, other.seq) < best[:2]):
            best = (gap, other.seq, other)
            reach_deg = (gap + precision + SLACK_KM) / KM_PER_DEGREE_LAT
    return best
