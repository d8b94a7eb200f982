"""A snapshot's body is compressed as it is pickled and decompressed as it is unpickled,
so that neither side holds the whole pickle: what comes back is what went in."""

from __future__ import annotations

import pickle
import zlib

import pytest

from ceasewatch.services.snapshots import _deflated, _Inflating

BIG = {
    "reports": [(f"src-{n % 40}", f"r{n:07d}", n / 7, "x" * (n % 50)) for n in range(50_000)],
    "shared": [[1, 2, 3]] * 3,
}


def test_a_body_deflated_as_written_inflates_as_read_to_what_it_was():
    data = _deflated(BIG)

    assert len(data) < len(pickle.dumps(BIG)) / 2
    assert pickle.Unpickler(_Inflating(data)).load() == BIG


def test_an_older_body_compressed_whole_still_reads():
    assert pickle.load(_Inflating(zlib.compress(pickle.dumps(BIG), 1))) == BIG


def test_a_pickle_read_line_by_line_reads_across_the_chunks():
    assert pickle.load(_Inflating(zlib.compress(pickle.dumps(BIG, protocol=0)))) == BIG


def test_a_body_cut_short_fails_to_read():
    data = _deflated(BIG)

    with pytest.raises((EOFError, pickle.UnpicklingError)):
        pickle.load(_Inflating(data[: len(data) // 2]))
