"""A snapshot's body is written as chunks of incidents, each a pickle of its own, then what
refers to them: what comes back is what went in, one object for each that was one."""

from __future__ import annotations

import io
import pickle
from math import cos, radians

import pytest

from builders import make_report
from ceasewatch.domain.halting import _Breach
from ceasewatch.domain.incidents import Incident, precision_km
from ceasewatch.services import snapshot_body


def incidents(count: int) -> list[Incident]:
    return [Incident.of(make_report(id=f"r{n}"), f"inc-{n}", n) for n in range(count)]


def round_trip(every: list[Incident], values: list[object]) -> list[object]:
    file = io.BytesIO()
    snapshot_body.dump(file, every, values)
    file.seek(0)
    return snapshot_body.load(file)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_body, "CHUNK", 3)


def test_what_refers_to_incidents_of_any_chunk_gets_the_same_objects_back():
    every = incidents(10)
    index = {i.id: i for i in every}
    filed = [(i.reports[0], i) for i in reversed(every)]

    index_back, filed_back = round_trip(every, [index, filed])

    assert [i.id for i in index_back.values()] == [i.id for i in every]
    for report, incident in filed_back:
        assert incident is index_back[incident.id]
        assert report is incident.reports[0]
        assert report == index[incident.id].reports[0]


def test_a_report_of_incidents_in_two_chunks_comes_back_as_one():
    every = incidents(5)
    shared = every[0].reports[0]
    every[4].reports += (shared,)

    (back,) = round_trip(every, [every])

    assert back[4].reports[1] is back[0].reports[0]


def test_objects_met_twice_take_the_places_the_reader_gives_them():
    """A report in two incidents of one chunk, and an instant three incidents share (two
    in one chunk, one in the next, which writes a copy of it): every later place still
    names the object it did."""
    every = incidents(8)
    every[1].reports += (every[0].reports[0],)
    shared = every[0].occurred_at
    for n in (0, 1, 5):  # chunks of 3: twice in the first, once in the second
        every[n].violation_at = shared
    later = [(i, i.reports[0]) for i in every]

    back, pairs = round_trip(every, [every, later])

    assert back[1].reports[1] is back[0].reports[0]
    assert back[1].violation_at is back[0].violation_at == back[5].violation_at
    assert [(i.id, r.id) for i, r in pairs] == [(i.id, i.reports[0].id) for i in every]
    assert all(i is b and r is b.reports[0] for (i, r), b in zip(pairs, back, strict=True))


def test_the_instant_an_incident_became_a_violation_is_one_object_with_the_indexes():
    every = incidents(7)
    for incident in every:
        incident.violation_at = incident.occurred_at
    timeline = [i.violation_at for i in every]

    back, times = round_trip(every, [every, timeline])

    assert all(t is i.violation_at is i.occurred_at for t, i in zip(times, back, strict=True))


def test_incidents_by_their_ids_come_back_under_their_own_id_strings():
    """An engine's incidents, by id: made again from the incidents when read, so each
    key is the incident's own id, not a second copy of every id."""
    every = incidents(7)
    by_id = {i.id: i for i in every}
    renamed = {f"x-{i.id}": i for i in every}  # not by their ids: written as it is

    back, other = round_trip(every, [by_id, renamed])

    assert list(back) == list(by_id)
    assert all(key is incident.id for key, incident in back.items())
    assert other == {f"x-{i.id}": back[i.id] for i in every}


def test_a_breach_comes_back_holding_its_reports_own_place_and_radius():
    """Rule 7 files a breach at its incident's first report: read back, its latitude,
    longitude and radius are that report's objects again, not copies of each."""
    incident = Incident.of(make_report(id="r0", location_precision_m=300), "inc-0", 0)
    incident.add(make_report(id="r1", lat=48.3))
    first = incident.first
    filed = _Breach(incident, first.lat, first.lon, precision_km(first), cos(radians(first.lat)))
    unmatched = _Breach(incident, 47.0, 36.0, 0.0, cos(radians(47.0)))

    back, breach, other = pickle.loads(pickle.dumps((incident, filed, unmatched)))

    assert breach[1:] == filed[1:] and other[1:] == unmatched[1:]
    assert breach.incident is back and other.incident is back
    assert breach.lat is back.first.lat and breach.lon is back.first.lon
    assert breach.precision_km is precision_km(back.first)


def test_a_listed_value_that_is_not_incidents_is_refused():
    file = io.BytesIO()
    pickle.Pickler(file).dump(0)
    pickle.Pickler(file).dump(([["not an incident"]], [0]))
    file.seek(0)

    with pytest.raises(ValueError, match="not a list of incidents"):
        snapshot_body.load(file)


def test_a_place_not_yet_read_is_refused():
    file = io.BytesIO()
    pickle.Pickler(file).dump(0)  # no chunk: no incident read

    class Forged(pickle.Pickler):
        def persistent_id(self, obj: object) -> int | None:
            return 2 if obj == "an incident" else None  # the third object placed

    Forged(file).dump([["an incident"]])
    file.seek(0)

    with pytest.raises(pickle.UnpicklingError, match="not a place read so far"):
        snapshot_body.load(file)


def test_a_class_outside_the_domain_is_refused():
    file = io.BytesIO()
    pickle.Pickler(file).dump(1)
    pickle.Pickler(file).dump([io.BytesIO])
    file.seek(0)

    with pytest.raises(pickle.UnpicklingError, match="may not name"):
        snapshot_body.load(file)
