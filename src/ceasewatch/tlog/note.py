"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, as Go's
golang.org/x/mod/sumdb/note writes and reads them.

A signed note is its text (UTF-8, ending in a newline), a blank line, and one line per
signature: an em dash, a space, the key's name, a space, and base64(key ID || Ed25519
signature of the text). The key ID is the first 4 bytes of SHA-256(name || 0x0A || 0x01
|| public key). Keys are written as Go writes them: a verifier key
`NAME+KEYID+base64(0x01 || public key)`, a signer key
`PRIVATE+KEY+NAME+KEYID+base64(0x01 || seed)`, KEYID in 8 hex digits; so a key made here
works with Go's note package, and one made there works here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
"""The signature type byte of Ed25519 note signatures."""
EM_DASH = "\u2014"
PRIVATE = "PRIVATE+KEY+"
MAX_SIGNATURES = 100
"""More signature lines than this make a note malformed (as in Go's note.Open)."""

_SPACE = re.compile(r"\s")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A key, note or signature that is not well formed, and why."""


def check_name(name: str, what: str = "key name") -> str:
    """A key name: non-empty, with no Unicode space and no `+` (the spec's rule; a
    checkpoint's origin should keep it too)."""
    if not name or _SPACE.search(name) or "+" in name:
        raise NoteError(f"{what} {name!r}: not empty, and no spaces or '+'")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4]: the key's ID in its signatures."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what}: not base64") from None


@dataclass(frozen=True, slots=True)
class Verifier:
    """A party's public key under its name: checks that key's signatures."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError(f"key {self.name}: an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def label(self) -> str:
        """NAME+KEYID, as Go names a key in its errors."""
        return f"{self.name}+{self.key_id.hex()}"

    @property
    def verifier_key(self) -> str:
        return f"{self.label}+{b64(bytes([ED25519]) + self.public_key)}"

    def verifies(self, text: str, signature: Signature) -> bool:
        """Whether `signature` is this key's over `text`."""
        if (signature.name, signature.key_id) != (self.name, self.key_id):
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                signature.signature, text.encode("utf-8")
            )
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Signer:
    """A party's private key under its name. Keep it with the party."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError(f"key {self.name}: an Ed25519 private key (seed) is 32 bytes")

    @property
    def verifier(self) -> Verifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return Verifier(self.name, public.public_bytes_raw())

    @property
    def signer_key(self) -> str:
        return f"{PRIVATE}{self.verifier.label}+{b64(bytes([ED25519]) + self.seed)}"

    def sign(self, text: str) -> Signature:
        check_text(text)
        raw = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text.encode("utf-8"))
        return Signature(self.name, self.verifier.key_id, raw)


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.strip().split("+", parts - 1)
    if len(fields) != parts:
        raise NoteError(f"{what}: not {'+'.join(['…'] * parts)}")
    return fields


def _key_body(name: str, hex_id: str, data: str, size: int, what: str) -> bytes:
    check_name(name)
    raw = unb64(data, what)
    if len(raw) != 1 + size or raw[0] != ED25519:
        raise NoteError(f"{what}: not an Ed25519 key (type 0x01, {size} bytes)")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError(f"{what}: its key ID {hex_id!r} is not 8 hex digits")
    return raw[1:]


def parse_verifier_key(text: str) -> Verifier:
    """A verifier key `NAME+KEYID+base64(0x01 || public key)`; its ID must be its own."""
    name, hex_id, data = _split_key(text, 3, "verifier key")
    verifier = Verifier(name, _key_body(name, hex_id, data, 32, "verifier key"))
    if verifier.key_id.hex() != hex_id:
        raise NoteError(f"verifier key {name}: key ID {hex_id} is not this key's")
    return verifier


def parse_signer_key(text: str) -> Signer:
    """A signer key `PRIVATE+KEY+NAME+KEYID+base64(0x01 || seed)`."""
    if not text.strip().startswith(PRIVATE):
        raise NoteError(f"signer key: does not start with {PRIVATE}")
    name, hex_id, data = _split_key(text.strip().removeprefix(PRIVATE), 3, "signer key")
    signer = Signer(name, _key_body(name, hex_id, data, 32, "signer key"))
    if signer.verifier.key_id.hex() != hex_id:
        raise NoteError(f"signer key {name}: key ID {hex_id} is not this key's")
    return signer


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def encoded(self) -> str:
        """base64(key ID || signature): what follows the name on a signature line."""
        return b64(self.key_id + self.signature)

    @property
    def line(self) -> str:
        return f"{EM_DASH} {self.name} {self.encoded}\n"

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"

    @classmethod
    def decode(cls, name: str, encoded: str) -> Signature:
        """A signature from its name and base64(key ID || signature)."""
        check_name(name)
        raw = unb64(encoded, f"signature of {name}")
        if len(raw) < 5:
            raise NoteError(f"signature of {name}: shorter than a key ID and a signature")
        return cls(name, raw[:4], raw[4:])


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def check_text(text: str) -> str:
    """Note text: non-empty, ending in a newline, no control character but newline."""
    if not text.strip() or not text.endswith("\n") or _CONTROL.search(text):
        raise NoteError("note text: not empty, ending in a newline, no control characters")
    return text


def parse(message: str) -> Note:
    """A signed note's text and signatures (well formed; none checked yet)."""
    if _CONTROL.search(message) or not message.endswith("\n"):
        raise NoteError("malformed note: control characters, or no final newline")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, lines = message[: split + 1], message[split + 2 :].splitlines()
    if not text.strip() or not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("malformed note: no text, or no (or too many) signature lines")
    signatures = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) != 3 or fields[0] != EM_DASH:
            raise NoteError(f"malformed signature line {line!r}")
        signatures.append(Signature.decode(fields[1], fields[2]))
    return Note(text, tuple(signatures))
