"""Sending the outbox beside the clock: each endpoint its own lanes, none in another's way.

`run` ticks in its main thread; a `Sender` works beside it. Its dispatcher thread claims
what is due, no more than `per_endpoint` messages to one endpoint (a webhook's URL, or the
SMTP server) and `senders` in all, and hands each to a thread of its own, which sends it
under the transport's timeout. A slow or dead endpoint fills its own lanes and waits out
its own timeouts; other endpoints' messages are claimed beside it and go out at once,
and the clock never waits for any of them. One whose last send took too long (`TooSlow`)
gets a single lane until a send to it ends in time: the lanes in all are few, and a
handful of receivers holding each send as long as the transport allows would take them.

Only the dispatcher touches the database, in short transactions of its own: outcomes
recorded, claims taken. It claims only what it can send at once and renews the claims of
sends that run long, so a claim lapses (and the message goes out again, with the same
`Idempotency-Key`) only when its sender has died. Stopping claims nothing more, waits a
grace period for the sends under way and records them; what is still out then is left to
its claim.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from ..store import outbox, queries
from . import unit_of_work
from .clock import Clock
from .delivery import PER_ENDPOINT, SENDERS
from .notify import CLAIM, MAX_ATTEMPTS, DeliveryFailed, TooSlow, Transport, backoff, send
from .system import System


@dataclass
class Delivered:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Outcome:
    message: RowMapping
    error: str | None
    """Why it failed; None when the receiver took it."""
    slow: bool = False
    """It failed because the receiver took too long (`TooSlow`)."""


@dataclass
class _Sending:
    endpoint: str
    claimed_until: datetime


class Sender:
    """Sends the outbox's due messages, many at once, each endpoint within its lanes."""

    def __init__(
        self,
        system: System,
        transport: Transport,
        clock: Clock,
        *,
        per_endpoint: int = PER_ENDPOINT,
        senders: int = SENDERS,
        max_attempts: int = MAX_ATTEMPTS,
        mail_from: str = "ceasewatch@localhost",
        rng: random.Random | None = None,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        """`on_failure` is told each failed send (and a database away); without it, the
        failed sends are listed in `delivered.errors`."""
        self.system, self.transport, self.clock = system, transport, clock
        self.per_endpoint, self.senders, self.max_attempts = per_endpoint, senders, max_attempts
        self.mail_from = mail_from
        self.rng = rng or random.Random()
        self.delivered = Delivered()
        self.on_failure = on_failure or self.delivered.errors.append
        self._sending: dict[int, _Sending] = {}
        self._slow: set[str] = set()
        """Endpoints whose last send took too long: each gets one lane until one of its
        sends ends in time, so that a few receivers that hold every send as long as they
        may cannot take all `senders` lanes from the rest."""
        self._finished: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
        self._unrecorded: list[_Outcome] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._thread: threading.Thread | None = None

    # -- beside the clock ------------------------------------------------------------

    def start(self, poll: float) -> None:
        """Send in a thread of its own, looking for due messages at least every `poll` s."""
        self._thread = threading.Thread(
            target=self._serve, args=(poll,), name="ceasewatch-sender", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Look for due messages now (the clock has just written some)."""
        self._wake.set()

    def stop(self, grace: float) -> int:
        """Claim nothing more; record the sends that finish within `grace` seconds.

        Returns how many were still under way: their claims lapse, and another sender
        sends them again, with the same `Idempotency-Key`.
        """
        self._deadline = time.monotonic() + grace
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        return len(self._sending)

    def abandon(self) -> None:
        """Stop waiting for the sends under way (a second Ctrl-C)."""
        self._deadline = time.monotonic()
        self._wake.set()

    def _serve(self, poll: float) -> None:
        while True:
            stopping = self._stopping.is_set()
            try:
                self._round(claim=not stopping)
            except Exception as exc:  # the database away for a while: try again later
                self.on_failure(f"the outbox could not be read or written: {exc}")
            if stopping and (not self._sending or time.monotonic() >= self._deadline):
                return
            self._wake.wait(poll if not stopping else min(poll, self._time_left()))
            self._wake.clear()

    def _time_left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    # -- once ------------------------------------------------------------------------

    def drain(self) -> Delivered:
        """Send everything due now and wait for every outcome."""
        while True:
            self._round(claim=True)
            if not self._sending:
                return self.delivered
            self._wake.wait()
            self._wake.clear()

    # -- the dispatcher's round --------------------------------------------------------

    def _round(self, *, claim: bool) -> None:
        """Record finished sends, renew long ones' claims, claim and start what fits."""
        while not self._finished.empty():
            outcome = self._finished.get()
            self._unrecorded.append(outcome)
            sending = self._sending.pop(outcome.message["id"], None)
            if sending is not None and outcome.slow:
                self._slow.add(sending.endpoint)
            elif sending is not None:  # it ended in time, taken or refused
                self._slow.discard(sending.endpoint)
        now = self.clock.now()
        renew = [i for i, s in self._sending.items() if s.claimed_until - now < CLAIM / 2]
        room = self.senders - len(self._sending)
        if not (self._unrecorded or renew or (claim and room > 0)):
            return
        claimed: list[RowMapping] = []
        with unit_of_work.rows(self.system) as conn:
            results = [self._record(conn, outcome, now) for outcome in self._unrecorded]
            if renew:
                outbox.renew(conn, renew, now + CLAIM)
            if claim and room > 0:
                busy = Counter(s.endpoint for s in self._sending.values())
                for slow in self._slow:  # one lane: full while it has a send under way
                    busy[slow] = self.per_endpoint - (0 if busy[slow] else 1)
                claimed = outbox.claim(
                    conn, now, now + CLAIM, room, per_endpoint=self.per_endpoint, busy=busy
                )
            contacts = {row["code"]: row for row in queries.parties(conn)} if claimed else {}
        for result, outcome in zip(results, self._unrecorded, strict=True):
            self._tally(result, outcome)
        self._unrecorded.clear()
        for i in renew:
            self._sending[i].claimed_until = now + CLAIM
        for message in claimed:
            where = outbox.endpoint(message["channel"], message["address"])
            self._sending[message["id"]] = _Sending(where, now + CLAIM)
            thread = threading.Thread(
                target=self._send,
                args=(message, contacts.get(message["party"])),
                name=f"ceasewatch-send-{message['id']}",
                daemon=True,
            )
            try:
                thread.start()
            except RuntimeError as exc:  # no thread to be had: try again later
                self._finished.put(_Outcome(message, f"not sent: {exc}"))
                self._wake.set()

    def _send(self, message: RowMapping, contact: Any) -> None:
        slow = False
        try:
            send(self.transport, message, contact, self.mail_from, self.clock.now())
            error = None
        except DeliveryFailed as exc:
            error, slow = str(exc), isinstance(exc, TooSlow)
        except Exception as exc:  # whatever went wrong, the outcome is recorded
            error = f"{type(exc).__name__}: {exc}"
        self._finished.put(_Outcome(message, error, slow))
        self._wake.set()

    def _record(self, conn: Connection, outcome: _Outcome, now: datetime) -> str:
        """Store a send's outcome: sent, or pending its next attempt, or dead."""
        message, attempts = outcome.message, outcome.message["attempts"] + 1
        if outcome.error is None:
            outbox.settle(
                conn,
                message["id"],
                status=outbox.SENT,
                attempts=attempts,
                sent_at=now,
                claimed_until=None,
                last_error=None,
            )
            return outbox.SENT
        dead = attempts >= self.max_attempts
        outbox.settle(
            conn,
            message["id"],
            status=outbox.DEAD if dead else outbox.PENDING,
            attempts=attempts,
            next_attempt_at=None if dead else now + backoff(attempts, self.rng),
            claimed_until=None,
            last_error=outcome.error,
        )
        return outbox.DEAD if dead else outbox.PENDING

    def _tally(self, result: str, outcome: _Outcome) -> None:
        self.delivered.sent += result == outbox.SENT
        self.delivered.retrying += result == outbox.PENDING
        self.delivered.dead += result == outbox.DEAD
        if outcome.error is not None:
            message = outcome.message
            self.on_failure(f"#{message['id']} to {message['address']}: {outcome.error}")


@dataclass(frozen=True)
class _Fixed:
    at: datetime

    def now(self) -> datetime:
        return self.at


def deliver_due(
    system: System,
    transport: Transport,
    now: datetime,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    mail_from: str = "ceasewatch@localhost",
    rng: random.Random | None = None,
) -> Delivered:
    """Send the messages due at `now` (wall-clock time) once each; record what happened."""
    sender = Sender(
        system, transport, _Fixed(now), max_attempts=max_attempts, mail_from=mail_from, rng=rng
    )
    return sender.drain()
