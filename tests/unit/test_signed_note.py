"""C2SP signed notes with Ed25519, against the test vectors of Go's
golang.org/x/mod/sumdb/note (note_test.go)."""

from __future__ import annotations

import pytest

from ceasewatch.tlog import note
from ceasewatch.tlog.checkpoint import Checkpoint, parse_checkpoint

VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
SIGNED = TEXT + f"\n— PeterNeumann {PETER}\n"
ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
ENOCH_SIG = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)


def test_keys_read_as_go_writes_them_and_are_written_back_the_same() -> None:
    signer = note.parse_signer_key(SKEY)
    assert signer.signer_key == SKEY
    assert signer.verifier.verifier_key == VKEY
    assert note.parse_verifier_key(VKEY) == signer.verifier


def test_the_key_id_is_the_first_bytes_of_sha256_of_name_newline_type_and_key() -> None:
    verifier = note.parse_verifier_key(VKEY)
    assert note.key_id("PeterNeumann", verifier.public_key).hex() == "c74f20a3"


def test_signing_gives_gos_signature_line() -> None:
    signature = note.parse_signer_key(SKEY).sign(TEXT)
    assert note.Note(TEXT, (signature,)).encode() == SIGNED


def test_a_note_signed_by_two_keys_verifies_under_each() -> None:
    parsed = note.parse(SIGNED + ENOCH_SIG)
    assert parsed.text == TEXT
    peter, enoch = parsed.signatures
    assert note.parse_verifier_key(VKEY).verifies(parsed.text, peter)
    assert note.parse_verifier_key(ENOCH).verifies(parsed.text, enoch)
    assert not note.parse_verifier_key(VKEY).verifies(parsed.text, enoch)


def test_a_changed_text_or_signature_does_not_verify() -> None:
    parsed = note.parse(SIGNED)
    verifier = note.parse_verifier_key(VKEY)
    assert not verifier.verifies(TEXT.replace("problem", "question"), parsed.signatures[0])
    [sig] = parsed.signatures
    bad = note.Signature(sig.name, sig.key_id, bytes([sig.signature[0] ^ 1]) + sig.signature[1:])
    assert not verifier.verifies(TEXT, bad)


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        SIGNED[:-1],
        "\x01" + SIGNED,
        TEXT + f"\n— Bad Name {PETER}\n",
        SIGNED + "Unexpected line.\n",
    ],
)
def test_malformed_notes_are_refused(message: str) -> None:
    with pytest.raises(note.NoteError):
        note.parse(message)


@pytest.mark.parametrize(
    "key",
    [
        VKEY[:-1],
        VKEY.replace("c74f20a3", "c74f20a4"),
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_mangled_verifier_keys_are_refused(key: str) -> None:
    with pytest.raises(note.NoteError):
        note.parse_verifier_key(key)


def test_a_checkpoint_is_origin_size_and_base64_root_on_three_lines() -> None:
    checkpoint = Checkpoint("ceasewatch/test", 20852163, bytes(range(32)))
    text = checkpoint.text()
    assert text == "ceasewatch/test\n20852163\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert parse_checkpoint(text) == checkpoint


@pytest.mark.parametrize(
    "text",
    [
        "ceasewatch/x\n012\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "ceasewatch/x\n12\nAAECAw==\n",
        "ceasewatch x\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "ceasewatch/x\n12\n",
    ],
)
def test_bad_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(note.NoteError):
        parse_checkpoint(text)
