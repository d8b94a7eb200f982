"""RFC 6962 Merkle trees, against the published test vectors of transparency-dev/merkle
(testonly/constants.go and reference_test.go: the Certificate Transparency leaves)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.tlog import merkle

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PROOFS = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_the_root_of_each_size_is_the_published_one(size: int) -> None:
    assert merkle.root(LEAVES[:size]).hex() == ROOTS[size]


def test_a_tree_grown_leaf_by_leaf_gives_the_root_at_every_size() -> None:
    tree = merkle.Frontier()
    assert tree.root().hex() == ROOTS[0]
    for size, leaf in enumerate(LEAVES, start=1):
        tree.append(merkle.leaf_hash(leaf))
        assert tree.root().hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), PROOFS)
def test_inclusion_proofs_are_the_published_audit_paths(
    index: int, size: int, path: list[str]
) -> None:
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES[:size]]
    proof = merkle.inclusion_proof(hashes, index)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(ROOTS[size])
    assert merkle.verify_inclusion(hashes[index], index, size, proof, root)


def test_a_proof_for_another_leaf_index_or_size_does_not_verify() -> None:
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES]
    root = bytes.fromhex(ROOTS[8])
    proof = merkle.inclusion_proof(hashes, 5)
    assert not merkle.verify_inclusion(hashes[4], 5, 8, proof, root)
    assert not merkle.verify_inclusion(hashes[5], 4, 8, proof, root)
    assert not merkle.verify_inclusion(hashes[5], 5, 6, proof, root)
    assert not merkle.verify_inclusion(hashes[5], 5, 8, proof[:-1], root)
    assert not merkle.verify_inclusion(hashes[5], 8, 8, proof, root)


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_every_leaf_of_any_tree_has_a_proof_that_verifies(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    index = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle.root(leaves)
    assert merkle.verify_inclusion(
        hashes[index], index, len(leaves), merkle.inclusion_proof(hashes, index), root
    )


def test_an_audit_leaf_is_the_canonical_json_of_the_entry() -> None:
    entry = {
        "seq": 1,
        "at": None,
        "kind": "k",
        "body": {"b": 1, "a": "é"},
        "prev": "0",
        "hash": "h",
    }
    leaf = merkle.leaf_of(entry)
    assert (
        leaf
        == '{"at":null,"body":{"a":"é","b":1},"hash":"h","kind":"k","prev":"0","seq":1}'.encode()
    )
    assert merkle.leaf_hash(leaf) == hashlib.sha256(b"\x00" + leaf).digest()
