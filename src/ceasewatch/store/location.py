"""Where the database is: `--db`, else `$CEASEWATCH_DB`, else ./ceasewatch.db.

Apart from `database.py` and free of SQLAlchemy: the command line names these in its
options, and its `--help` imports no database library.
"""

from __future__ import annotations

import os

DEFAULT_URL = "sqlite:///ceasewatch.db"
ENV_VAR = "CEASEWATCH_DB"


def chosen(url: str | None = None) -> str:
    """The URL given, else the environment's, else the default."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def not_a_url(text: str) -> str:
    """Why `text` is no database URL, and what was likely meant."""
    if ":" not in text:  # a bare file name or path
        return f"{text!r} is not a database URL: did you mean sqlite:///{text}?"
    return f"{text!r} is not a database URL (sqlite:///file.db or postgresql://user@host:port/db)"
