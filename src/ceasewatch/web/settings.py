"""The web interface's configuration: the session secret, cookies, the optional tile server.

Read from the environment, so that every worker of `ceasewatch serve --workers N` agrees:

- `CEASEWATCH_SECRET`: signs session cookies. Without it, a random secret is generated
  once and kept in `CEASEWATCH_SECRET_FILE` (default `$XDG_STATE_HOME/ceasewatch/secret`,
  i.e. `~/.local/state/ceasewatch/secret`), readable by its owner only; the workers of
  one host share it and sessions survive a restart. Several hosts behind one balancer
  need one `CEASEWATCH_SECRET`.
- `CEASEWATCH_TILE_URL`: a raster tile server (`https://tile.example/{z}/{x}/{y}.png`)
  drawn under the shipped outlines. Unset (the default), the map makes no request to any
  host but this one.
- `CEASEWATCH_TILE_ATTRIBUTION`: the tiles' attribution, shown on the map.
- `CEASEWATCH_SECURE_COOKIES`: `1` to mark the session cookie Secure (behind HTTPS).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

SESSION_HOURS = 12


@dataclass(frozen=True)
class WebSettings:
    secret: str
    tile_url: str | None = None
    tile_attribution: str = ""
    secure_cookies: bool = False
    session_hours: int = SESSION_HOURS


def secret_file() -> Path:
    explicit = os.environ.get("CEASEWATCH_SECRET_FILE")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "ceasewatch" / "secret"


def stored_secret(path: Path) -> str:
    """The secret kept at `path`, made there first (owner-only) if there is none."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    made = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: use theirs, once written
        for _ in range(100):
            found = path.read_text(encoding="ascii").strip()
            if found:
                return found
            time.sleep(0.01)
        raise RuntimeError(f"{path} stays empty: remove it, or set CEASEWATCH_SECRET") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(made + "\n")
    return made


def from_env() -> WebSettings:
    secret = os.environ.get("CEASEWATCH_SECRET") or stored_secret(secret_file())
    return WebSettings(
        secret=secret,
        tile_url=os.environ.get("CEASEWATCH_TILE_URL") or None,
        tile_attribution=os.environ.get("CEASEWATCH_TILE_ATTRIBUTION", ""),
        secure_cookies=os.environ.get("CEASEWATCH_SECURE_COOKIES", "") in ("1", "true", "yes"),
    )
