"""A snapshot's body is compressed as it is pickled and decompressed as it is unpickled,
and its incidents pickle as tuples, so that neither side holds the whole pickle nor a dict
of every incident's fields: what comes back is what went in."""

from __future__ import annotations

import pickle
import sys
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import fields

import pytest

from builders import make_report
from ceasewatch.domain.incidents import Incident, Status
from ceasewatch.services.compressed import Deflating, Inflating


def deflated_pickle(data: object) -> bytes:
    file = Deflating()
    pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
    return b"".join(file.parts())


BIG = {
    "reports": [(f"src-{n % 40}", f"r{n:07d}", n / 7, "x" * (n % 50)) for n in range(50_000)],
    "shared": [[1, 2, 3]] * 3,
}


def test_a_body_deflated_as_written_inflates_as_read_to_what_it_was():
    data = deflated_pickle(BIG)

    assert len(data) < len(pickle.dumps(BIG)) / 2
    assert pickle.Unpickler(Inflating([data])).load() == BIG


def test_a_body_cut_into_parts_reads_across_them_and_lets_each_go():
    """Parts are stored as rows of their own (no value may exceed 1 GB): read in order,
    they give back what went in; the reader takes each only when it gets to it, and
    holds none it has finished."""
    file = Deflating(part_bytes=20_000)
    pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(BIG)
    parts = file.parts()

    assert len(parts) > 5
    assert {len(p) for p in parts[:-1]} == {20_000} and 0 < len(parts[-1]) <= 20_000
    assert b"".join(parts) == deflated_pickle(BIG)
    first, count = parts[0], len(parts)
    stored = deque(parts)  # as rows are in the database: the reader asks for each
    del parts
    taken: list[bytes] = []

    def read_from_storage() -> Iterator[bytes]:
        while stored:
            taken.append(b"")
            yield stored.popleft()

    assert pickle.Unpickler(Inflating(read_from_storage())).load() == BIG
    assert len(taken) == count
    assert sys.getrefcount(first) == 2  # `first`, and the call's own argument


def test_a_reader_takes_a_part_only_when_it_gets_to_it():
    file = Deflating(part_bytes=20_000)
    pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(BIG)
    parts = file.parts()
    taken: list[int] = []

    def read_from_storage() -> Iterator[bytes]:
        for n, part in enumerate(parts):
            taken.append(n)
            yield part

    reader = Inflating(read_from_storage())
    assert taken == []
    assert reader.read(2) == pickle.dumps(BIG, protocol=pickle.HIGHEST_PROTOCOL)[:2]
    assert taken == [0]


def test_a_body_missing_a_part_fails_to_read():
    file = Deflating(part_bytes=20_000)
    pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(BIG)
    parts = file.parts()
    del parts[len(parts) // 2]

    with pytest.raises((EOFError, pickle.UnpicklingError, zlib.error)):
        pickle.load(Inflating(parts))


def test_an_older_body_compressed_whole_still_reads():
    assert pickle.load(Inflating([zlib.compress(pickle.dumps(BIG), 1)])) == BIG


def test_a_pickle_read_line_by_line_reads_across_the_chunks():
    assert pickle.load(Inflating([zlib.compress(pickle.dumps(BIG, protocol=0))])) == BIG


def test_a_body_cut_short_fails_to_read():
    data = deflated_pickle(BIG)

    with pytest.raises((EOFError, pickle.UnpicklingError)):
        pickle.load(Inflating([data[: len(data) // 2]]))


def test_an_incident_pickles_as_its_values_and_comes_back_whole():
    """A snapshot holds every incident: its state is one tuple of its fields, not a dict
    of them, which a pickler and an unpickler would each keep until done."""
    incident = Incident.of(make_report(), "inc-1", 1)
    incident.add(make_report(id="r2", killed=3))
    incident.status, incident.case = Status.VERIFIED, "cf-1/RU/1"

    state = incident.__getstate__()
    back = pickle.loads(pickle.dumps(incident, protocol=pickle.HIGHEST_PROTOCOL))

    assert isinstance(state, tuple)
    assert {f.name: getattr(back, f.name) for f in fields(Incident)} == {
        f.name: getattr(incident, f.name) for f in fields(Incident)
    }
