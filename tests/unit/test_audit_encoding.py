"""The fast paths of the audit chain give the bytes and hashes of the plain rule."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.audit import GENESIS, Encoded, canonical, chain, extend, plain_canonical, verify

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
"""Any text a record can hold (lone surrogates are no UTF-8, and no record has one)."""
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
"""Values with no floats: what `plain_canonical` is for."""


@given(PLAIN)
def test_plain_canonical_gives_canonical_bytes(value: Any):
    assert plain_canonical(value) == canonical(value)


def test_a_report_listing_encodes_alike():
    listing = {
        "trusted": True,
        "reports": [[7, "src-é", "r\u20281\n\x00", "a" * 64, "2026-03-01T10:00:00Z"]],
    }

    assert plain_canonical(listing) == canonical(listing)


@given(st.lists(st.tuples(st.none() | TEXT, TEXT, PLAIN), max_size=5), st.booleans())
def test_chain_links_as_extend_does(items: list[tuple[str | None, str, Any]], encode: bool):
    given_items = [
        (at, kind, Encoded(canonical(body)) if encode else body) for at, kind, body in items
    ]

    linked = chain(3, "f" * 64, given_items)
    extended = extend(3, "f" * 64, items)

    assert [(e.seq, e.prev, e.hash) for e in linked] == [(e.seq, e.prev, e.hash) for e in extended]
    assert [e.body for e in linked] == [canonical(e.body) for e in extended]


def test_a_chain_of_encoded_bodies_verifies():
    items = [(None, "reports_accepted", Encoded(plain_canonical({"reports": [[1, "s", "r"]]})))]
    entry = chain(0, GENESIS, items)[0]

    exported = {
        "seq": entry.seq,
        "at": None,
        "kind": "reports_accepted",
        "body": {"reports": [[1, "s", "r"]]},
        "prev": entry.prev,
        "hash": entry.hash,
    }
    assert verify([exported]) is None
