"""A client of another ceasewatch's API: for signing its checkpoints and mirroring it.

Whoever runs this does not trust the server: what it reads is checked here (the chain,
the roots, the journal against the chain, every derived row), never taken on its word.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any

import httpx

from ..tlog.checkpoint import parse_checkpoint
from ..tlog.exported import check_prefix
from ..tlog.note import NoteError, Signer

TIMEOUT = 60.0
LINE_LIMIT = 64 * 2**20
"""The bytes a line of a JSON-lines answer may hold: a row of the journal or of the state
is kilobytes, and a server that sends a line with no end must not fill the memory."""


class RemoteError(RuntimeError):
    """The server could not be reached, or refused (with its reason)."""


class Remote:
    """One API base URL and a bearer token (an observer's is enough to read)."""

    def __init__(self, url: str, token: str, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            follow_redirects=False,
        )

    def __enter__(self) -> Remote:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteError(f"{self.url}{path}: {exc}") from None
        if response.status_code >= 400:
            try:
                reason = response.json().get("error") or response.text
            except ValueError:
                reason = response.text
            raise RemoteError(f"{self.url}{path}: {response.status_code}: {reason}")
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self._send("GET", path, params=params).json()

    def post(self, path: str, body: Any) -> Any:
        return self._send("POST", path, json=body).json()

    def lines(self, path: str, **params: Any) -> Iterator[Any]:
        """A JSON-lines answer, line by line as it streams in."""
        try:
            with self.http.stream("GET", path, params=params) as response:
                if response.status_code >= 400:
                    response.read()
                    raise RemoteError(f"{self.url}{path}: {response.status_code}: {response.text}")
                for line in bounded_lines(response.iter_bytes(), LINE_LIMIT):
                    if line.strip():
                        yield json.loads(line)
        except LineTooLong:
            too_long = f"a line longer than {LINE_LIMIT:,} bytes"
            raise RemoteError(f"{self.url}{path}: {too_long}") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"{self.url}{path}: {exc}") from None

    def audit(self, after: int = 0, upto: int | None = None) -> Iterator[dict[str, Any]]:
        """The audit entries after `after` (up to `upto`), exactly as the server holds them."""
        while upto is None or after < upto:
            params: dict[str, Any] = {"after": after, "limit": 1000}
            page = self.get("/api/v1/journal/audit", **params)
            items = [e for e in page["items"] if upto is None or e["seq"] <= upto]
            yield from items
            if not items or page["next_after"] is None:
                return
            after = items[-1]["seq"]


class LineTooLong(ValueError):
    pass


def bounded_lines(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The lines of a stream of bytes, none held past `limit` bytes (`LineTooLong`)."""
    buffer = bytearray()
    for chunk in chunks:
        searched = len(buffer)
        buffer += chunk
        start = 0
        while (end := buffer.find(b"\n", searched)) >= 0:
            yield bytes(buffer[start:end])
            start = searched = end + 1
        del buffer[:start]
        if len(buffer) > limit:
            raise LineTooLong
    if buffer:
        yield bytes(buffer)


def sign(remote: Remote, signer: Signer, size: int | None = None) -> dict[str, Any]:
    """Check the server's log up to its checkpoint (the latest, or of `size` entries) on
    this machine, then sign that checkpoint and send the signature. The server's answer."""
    path = "/api/v1/audit/checkpoints/" + ("latest" if size is None else str(size))
    found = remote.get(path)
    try:
        checkpoint = parse_checkpoint(found["text"])
    except (NoteError, KeyError, TypeError) as exc:
        raise RemoteError(f"{remote.url}{path}: not a checkpoint: {exc}") from None
    problem = check_prefix(remote.audit(upto=checkpoint.size), checkpoint, found.get("head"))
    if problem is not None:
        raise RemoteError(f"will not sign checkpoint {checkpoint.size}: {problem}")
    signature = signer.sign(checkpoint.text())
    return dict(
        remote.post(
            f"/api/v1/audit/checkpoints/{checkpoint.size}/signatures",
            {"name": signature.name, "signature": signature.encoded},
        )
    )
