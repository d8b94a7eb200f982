"""One writer of reports for the workers of `ceasewatch serve --workers N`.

Each process that writes keeps engines of its own, and before each write it must feed
them whatever the other processes journaled since (`LiveProtocol.catch_up`): N workers
that all take reports would each do the engine's work for every report, one after the
other under the writers' lock. So `serve --workers N` (N > 1) starts one writer process
beside the workers (`run`), the only one whose engines take the API's reports. A worker
does all that needs no engine in its own process, in parallel with the others (HTTP, JSON,
validation, the clock guard, what the sender may send), and hands the good reports to the
writer over a Unix socket (`Handoff`, through `multiprocessing.connection`, whose
handshake proves the worker knows the key `serve` made). The writer's `GroupCommit` takes
everything handed to it at once in one transaction, as one worker's does for its own
threads, and answers each worker with the keys of its reports that were taken. The other
writes that need the engines (verdicts, decisions, sources, keys: `handed.py`) are
handed over too, one `Call` at a time, so that no worker builds engines of its own.

Every guarantee is the unit of work's, unchanged: the writer holds the writers' lock and
catches up like any other process (a tick, a command or an `ingest` may write beside it),
and a worker learns only after the commit what was stored. A worker that cannot reach
the writer (it is gone, or not yet there) writes itself, as a lone worker does; one whose
writer vanishes while it waits cannot know whether the batch was committed, and says so
(`Unavailable`): the reports are keyed, so sending them again stores none twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import secrets
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import AuthenticationError, parent_process
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from ..domain.reports import Report

# commands, keys, setup and sources are imported for the writes they mark @in_the_writer
from . import commands, handed, keys, setup, sources, unit_of_work  # noqa: F401
from .submit import GroupCommit, Submitter
from .system import UNREACHABLE, System, open_system

ADDRESS_ENV = "CEASEWATCH_WRITER_SOCKET"
KEY_ENV = "CEASEWATCH_WRITER_KEY"
"""Where `serve` tells its workers the writer listens, and the key that proves them
its own (hex)."""

log = logging.getLogger(__name__)


class Unavailable(RuntimeError):
    """The writer could not say what became of a batch (it failed, or is gone)."""


@dataclass(frozen=True)
class Address:
    """A writer's socket and the key its clients must know."""

    path: str
    key: bytes

    @classmethod
    def new(cls) -> Address:
        """A socket in a fresh folder only this user may enter, and a random key."""
        folder = tempfile.mkdtemp(prefix="ceasewatch-writer-")
        return cls(str(Path(folder) / "writer.sock"), secrets.token_bytes(32))

    @classmethod
    def from_env(cls) -> Address | None:
        path, key = os.environ.get(ADDRESS_ENV), os.environ.get(KEY_ENV)
        if not path or not key:
            return None
        return cls(path, bytes.fromhex(key))

    def env(self) -> dict[str, str]:
        return {ADDRESS_ENV: self.path, KEY_ENV: self.key.hex()}

    def remove(self) -> None:
        """Delete the socket and its folder (the writer has stopped)."""
        Path(self.path).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(self.path).parent.rmdir()


def submitter(system: System) -> Submitter:
    """What takes this process's submissions: the writer `serve` started, if there is one
    (`Address.from_env`), else a group commit of its own."""
    local = GroupCommit(system)
    address = Address.from_env()
    return local if address is None else Handoff(address, local)


@dataclass(frozen=True)
class Call:
    """A write the writer is asked to run (`handed.HANDED`, by name), with its arguments."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class Handoff(Submitter):
    """A worker's side: validate here, let the writer store, wait for its answer; and the
    writes that need the engines (`handed.in_the_writer`), run there too.

    One connection per waiting thread (kept for the next request), so that the writer
    sees every batch waiting at once and groups them."""

    def __init__(self, address: Address, fallback: GroupCommit) -> None:
        self.address, self.fallback = address, fallback
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._warned = False

    def take(self, reports: list[Report]) -> set[tuple[str, str]]:
        ok, answer = self._ask(
            reports,
            lambda: self.fallback.take(reports),
            "the batch may or may not be stored (send it again: stored reports come back as "
            "duplicates)",
        )
        if not ok:
            raise Unavailable(f"the batch was not stored: {answer}")
        taken: set[tuple[str, str]] = answer
        return taken

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run a handed write in the writer (here, if it cannot be reached): its answer,
        or the refusal it raised there, raised here."""
        system = self.fallback.system
        ok, answer = self._ask(
            Call(name, args, kwargs),
            lambda: handed.run_here(system, name, args, kwargs),
            "it may or may not have been done (look before doing it again)",
        )
        if ok:
            return answer
        if isinstance(answer, Exception):
            raise answer
        raise Unavailable(f"not done: {answer}")

    def _ask(self, message: object, here: Callable[[], Any], unknown: str) -> tuple[bool, Any]:
        """The writer's answer to `message`, or `here()`'s when the writer is gone;
        `unknown` says what became of it when the writer went while it had it."""
        connection = self._connection()
        if connection is None:
            return True, here()
        try:
            connection.send(message)
        except OSError:  # nothing reached the writer: it is gone
            connection.close()
            return self._ask(message, here, unknown)
        try:
            ok, answer = connection.recv()
        except (OSError, EOFError) as exc:
            connection.close()
            raise Unavailable(f"the writer process stopped before it answered: {unknown}") from exc
        with self._lock:
            self._idle.append(connection)
        return ok, answer

    def _connection(self) -> Connection | None:
        """An idle connection, or a new one; None if the writer cannot be reached."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return Client(self.address.path, family="AF_UNIX", authkey=self.address.key)
        except OSError:
            if not self._warned:
                self._warned = True
                log.warning("the writer process cannot be reached: this worker writes itself")
            return None


# -- the writer process ----------------------------------------------------------------


def run(url: str | None, address: Address, ready: Event | None = None) -> None:
    """The writer process: open the store, listen, take what the workers hand over.

    It ignores Ctrl-C (`serve` stops it once the workers have answered their last
    requests) and exits when `serve` does, however that ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    committer = GroupCommit(open_system(url, serving=True))
    with Listener(address.path, family="AF_UNIX", authkey=address.key) as listener:
        if ready is not None:
            ready.set()
        threading.Thread(target=_warm, args=(committer.system,), name="warm", daemon=True).start()
        while True:
            try:
                connection = listener.accept()
            except (OSError, EOFError, AuthenticationError):  # a failed handshake
                continue
            threading.Thread(
                target=_answer, args=(committer, connection), name="handoff", daemon=True
            ).start()


def _warm(system: System) -> None:
    try:
        unit_of_work.warm(system)
    except Exception:  # the first write builds the engines instead
        log.exception("reading the engines as the writer started failed")


def _answer(committer: GroupCommit, connection: Connection) -> None:
    """Serve one worker's connection: each batch it sends, stored with the others', and
    each write it hands over, run."""
    with connection:
        while True:
            try:
                message = connection.recv()
            except (OSError, EOFError):
                return
            if isinstance(message, Call):
                reply = _run(committer.system, message)
            else:
                try:
                    reply = (True, committer.take(message))
                except Exception as exc:  # the worker hears of it; the writer goes on
                    log.exception("a batch handed to the writer failed")
                    reply = (False, said(exc))
            try:
                connection.send(reply)
            except OSError:
                return


def _run(system: System, call: Call) -> tuple[bool, object]:
    """A handed write's answer; a refusal (a `ValueError`, as each says why) goes back to
    be raised in the worker, anything else is logged here and said there in words."""
    try:
        return True, handed.run_here(system, call.name, call.args, call.kwargs)
    except ValueError as exc:
        if _round_trips(exc):
            return False, exc
        log.exception("%s refused, in words the worker cannot unpickle", call.name)
        return False, str(exc)
    except Exception as exc:
        log.exception("%s handed to the writer failed", call.name)
        return False, said(exc)


def said(exc: Exception) -> str:
    """What a worker, and so its client, is told of a failure in the writer: what kind of
    failure, never its words. A database error's words hold its statement and values,
    and a batch of the writer's holds other clients' reports; the writer's log has them."""
    if isinstance(exc, UNREACHABLE):
        return "the database cannot be reached"
    return f"{type(exc).__name__} (the server's log says more)"


def _round_trips(exc: Exception) -> bool:
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return type(back) is type(exc) and str(back) == str(exc)


def exit_with_parent() -> None:
    """Leave as soon as the process that started this one has gone (even if killed): the
    writer, and each of `serve`'s workers, which would otherwise go on serving, alone."""
    parent = parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
