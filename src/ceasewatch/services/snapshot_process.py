"""`ceasewatch snapshot` run beside a server, so that no request waits for a snapshot.

Pickling a store's engines takes seconds per 100,000 reports (about 16 s at a million),
and the engines must not change meanwhile: in the process that holds them, every write
would wait that long, every half hour. So a server (each process of `ceasewatch serve`
that writes) starts the snapshot command as a process of its own instead. That process
builds engines of its own as any process does when it starts (the newest snapshot, then
the journal after it, in one consistent read), takes no lock while it works, and stores
its snapshot in a short transaction (`unit_of_work.snapshot`): it costs CPU time on
another core and the memory of a second set of engines while it runs, and delays no one.

One runs at a time. Its output goes where the server's goes; one that fails is logged
when it is found to have ended, and the next is due after the usual growth or interval
(`live_protocol.SnapshotEvery`): a snapshot is a cache of the journal, never needed.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import sqlalchemy as sa

from .location import DB_ENV_VAR

log = logging.getLogger(__name__)


class SnapshotProcess:
    """The `ceasewatch snapshot` a server started last, for the database at `url`."""

    def __init__(self, url: sa.URL) -> None:
        self._url = url
        self._child: subprocess.Popen[bytes] | None = None
        self.status: int | None = None
        """The exit status of the last one to end (0: it saved a snapshot)."""

    @staticmethod
    def possible(db: sa.Engine) -> bool:
        """Whether another process can open this database (not an in-memory SQLite)."""
        url = db.url
        return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")

    def start(self) -> None:
        """Start one, unless one is still running."""
        if self.running():
            return
        # the URL (with any password) by the environment, not the command line others see
        env = {**os.environ, DB_ENV_VAR: self._url.render_as_string(hide_password=False)}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "ceasewatch", "snapshot"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )

    def running(self) -> bool:
        """Whether the last one started is still at work (one that has ended is reaped,
        and logged if it failed)."""
        if self._child is None:
            return False
        status = self._child.poll()
        if status is None:
            return True
        self._child, self.status = None, status
        if status != 0:
            log.error("the snapshot process failed (exit status %s); the next is due later", status)
        return False

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the last one started to end: its exit status (None: none started)."""
        if self._child is not None:
            self._child.wait(timeout)
            self.running()
        return self.status
