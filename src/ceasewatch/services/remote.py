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
from .exchange import Deadline

TIMEOUT = 60.0
LINE_LIMIT = 64 * 2**20
"""The bytes a line of a JSON-lines answer may hold: a row of the journal or of the state
is kilobytes, and a server that sends a line with no end must not fill the memory."""
BODY_LIMIT = 64 * 2**20
"""The bytes any other answer may hold. A page of the journal is mostly a few megabytes,
but a report may carry up to 1,000 pieces of evidence, so a page of 1,000 entries can
legitimately hold more than this: a paged read then asks for fewer (`Remote.page`)."""


class RemoteError(RuntimeError):
    """The server could not be reached, or refused (with its reason)."""


ANSWER_SECONDS = 600.0
"""How long a whole answer may take: a page of 64 MiB on a link of 1 Mbit/s takes about
nine minutes. httpx's timeout bounds each read, so a primary that trickled its answer
would otherwise hold a pull, and `mirror --follow`, silent for as long as it liked."""
LINE_SECONDS = 300.0
"""How long a JSON-lines answer may go without a whole line (a row is kilobytes)."""


class TooLarge(RemoteError):
    """An answer held more than `BODY_LIMIT` bytes; none past that was read."""


class Remote:
    """One API base URL and a bearer token (an observer's is enough to read)."""

    def __init__(self, url: str, token: str, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),  # a connection each: `Deadline`
        )
        self._fits: dict[str, int] = {}
        """The most entries a page of each paged path was last answered with in full."""

    def __enter__(self) -> Remote:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        """The server's answer, decoded from JSON: read no further than `BODY_LIMIT`."""
        with Deadline(ANSWER_SECONDS) as deadline:
            try:
                with self.http.stream(
                    method, path, **kwargs, extensions={"trace": deadline.trace}
                ) as response:
                    body = _at_most(response, BODY_LIMIT)
            except httpx.HTTPError as exc:
                raise self._failed(path, deadline, exc) from None
            if deadline.passed:  # a body without a length ends where its socket was shut
                raise self._failed(path, deadline)
        if body is None:
            raise TooLarge(f"{self.url}{path}: an answer longer than {BODY_LIMIT:,} bytes")
        if response.status_code >= 400:
            text = body.decode(errors="replace")
            try:
                reason = json.loads(body).get("error") or text
            except (ValueError, AttributeError):
                reason = text
            raise RemoteError(f"{self.url}{path}: {response.status_code}: {reason}")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RemoteError(f"{self.url}{path}: not JSON: {exc}") from None

    def get(self, path: str, **params: Any) -> Any:
        return self._send("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self._send("POST", path, json=body)

    def page(self, path: str, after: int, limit: int) -> Any:
        """A page of at most `limit` entries after `after`, or fewer where that many would
        be an answer too long: it is asked for again with half as many, down to one, and
        the next pages start from the number that fitted, doubling while they fit."""
        asked = min(limit, self._fits.get(path, limit))
        while True:
            try:
                page = self.get(path, after=after, limit=asked)
            except TooLarge:
                if asked == 1:
                    raise TooLarge(
                        f"{self.url}{path}: the entry after {after} alone is longer than "
                        f"{BODY_LIMIT:,} bytes"
                    ) from None
                asked = max(1, asked // 2)
                continue
            self._fits[path] = min(limit, asked * 2)
            return page

    def lines(self, path: str, **params: Any) -> Iterator[Any]:
        """A JSON-lines answer, line by line as it streams in (each within `LINE_SECONDS`)."""
        with Deadline(LINE_SECONDS) as deadline:
            trace = {"trace": deadline.trace}
            try:
                with self.http.stream("GET", path, params=params, extensions=trace) as response:
                    if response.status_code >= 400:
                        answer = _at_most(response, BODY_LIMIT) or b"(too long to show)"
                        reason = answer.decode(errors="replace")
                        raise RemoteError(f"{self.url}{path}: {response.status_code}: {reason}")
                    for line in bounded_lines(response.iter_bytes(), LINE_LIMIT):
                        if deadline.passed:  # the line ends where its socket was shut
                            raise self._failed(path, deadline)
                        deadline.renew()
                        if line.strip():
                            yield json.loads(line)
                    if deadline.passed:
                        raise self._failed(path, deadline)
            except LineTooLong:
                too_long = f"a line longer than {LINE_LIMIT:,} bytes"
                raise RemoteError(f"{self.url}{path}: {too_long}") from None
            except httpx.HTTPError as exc:
                raise self._failed(path, deadline, exc) from None

    def _failed(
        self, path: str, deadline: Deadline, exc: httpx.HTTPError | None = None
    ) -> RemoteError:
        if deadline.passed or exc is None:
            return RemoteError(f"{self.url}{path}: nothing whole within {deadline.seconds:g} s")
        return RemoteError(f"{self.url}{path}: {exc}")

    def audit(self, after: int = 0, upto: int | None = None) -> Iterator[dict[str, Any]]:
        """The audit entries after `after` (up to `upto`), exactly as the server holds them."""
        while upto is None or after < upto:
            page = self.page("/api/v1/journal/audit", after, 1000)
            items = [e for e in page["items"] if upto is None or e["seq"] <= upto]
            yield from items
            if not items or page["next_after"] is None:
                return
            after = items[-1]["seq"]


class LineTooLong(ValueError):
    pass


def _at_most(response: httpx.Response, limit: int) -> bytes | None:
    """The body of `response`, or None once it is longer than `limit` bytes (whatever
    its Content-Length says, which is not believed either way)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


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
