"""Where the database is named: the variable the command line's `--db` falls back to.

Free of any database library (see `store.location`): the command line names it in its
options, and its `--help` imports none."""

from __future__ import annotations

from ..store.location import ENV_VAR as DB_ENV_VAR

__all__ = ["DB_ENV_VAR"]
