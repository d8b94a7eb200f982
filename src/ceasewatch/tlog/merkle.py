"""RFC 6962 Merkle tree hashes (section 2.1), and inclusion proofs (RFC 9162, 2.1.3).

    MTH({})      = SHA-256()
    leaf hash    = SHA-256(0x00 || leaf)
    MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of
                   two below n

The audit log's tree has one leaf per entry, in `seq` order: the entry's canonical JSON
(`audit.canonical` of its six fields `seq, at, kind, body, prev, hash`: keys sorted, no
whitespace, UTF-8), which is `leaf_of`. Its root at size N is what a checkpoint of the
first N entries signs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..audit import FIELDS, canonical

EMPTY_ROOT = hashlib.sha256(b"").digest()
LEAF, NODE = b"\x00", b"\x01"


def leaf_of(entry: Mapping[str, Any]) -> bytes:
    """The bytes of an audit entry's leaf: the canonical JSON of its fields (those of
    `audit.FIELDS` it has; an entry missing one is broken anyway)."""
    return canonical({name: entry[name] for name in FIELDS if name in entry})


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(LEAF + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


class Frontier:
    """A tree built leaf by leaf: the roots of its perfect subtrees, left to right (RFC
    6962's tree splits at powers of two, so these are the binary digits of its size).
    `root()` at every size costs O(log n), so one pass over a log gives the root at each
    of its checkpoints."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []
        """(height, hash) of each perfect subtree, tallest first."""

    def append(self, hashed_leaf: bytes) -> None:
        height, digest = 0, hashed_leaf
        while self._peaks and self._peaks[-1][0] == height:
            _, left = self._peaks.pop()
            height, digest = height + 1, node_hash(left, digest)
        self._peaks.append((height, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        digest = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            digest = node_hash(left, digest)
        return digest


def root(leaves: Iterable[bytes]) -> bytes:
    """MTH of the leaves (their data, not their hashes)."""
    tree = Frontier()
    for leaf in leaves:
        tree.append(leaf_hash(leaf))
    return tree.root()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return hashes[lo]
    k = _split(hi - lo)
    return node_hash(_subtree(hashes, lo, lo + k), _subtree(hashes, lo + k, hi))


def inclusion_proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 6962 2.1.1 over the leaf hashes: the sibling hashes from
    the leaf up to the root's child."""
    if not 0 <= index < len(hashes):
        raise ValueError(f"leaf {index} is not in a tree of {len(hashes)}")
    path: list[bytes] = []
    lo, hi = 0, len(hashes)
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(_subtree(hashes, lo + k, hi))
            hi = lo + k
        else:
            path.append(_subtree(hashes, lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def verify_inclusion(
    hashed_leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """Whether `path` proves the leaf at `index` in the tree of `size` whose root is
    `expected_root` (RFC 9162, 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, digest = index, size - 1, hashed_leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and digest == expected_root
