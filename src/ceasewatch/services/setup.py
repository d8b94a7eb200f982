"""Setting a database up: its schema, its ceasefires, its stakeholder directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ..bootstrap import System
from ..config import ConfigError, load_ceasefire, load_policy, policy_text
from ..domain.parties import Party
from ..store import bulk, database, journal, queries, tables
from ..store.journal import StoredCeasefire
from . import withdrawals


class SetupError(ValueError):
    """A ceasefire or directory file that cannot be stored, and why."""


def init(url: str | None = None) -> str:
    """Create or migrate the database; returns its URL (password hidden)."""
    db = database.connect(url)
    database.upgrade(db)
    return db.url.render_as_string(hide_password=True)


@dataclass(frozen=True)
class Added:
    ceasefire: str
    new: bool
    events: int


def add_ceasefire(system: System, path: Path) -> Added:
    """Store a ceasefire (validated as `replay` does) and run its engine over the journal.

    Adding the same definition again changes nothing; a different one under a stored id
    is refused: a ceasefire's terms are never rewritten, a new one gets a new id. Reports
    withdrawn by their sources before it was added are rejected in it too.
    """
    try:
        ceasefire = load_ceasefire(path)
        policy = load_policy(ceasefire.policy, base=path.parent)
        text, _ = policy_text(ceasefire.policy, base=path.parent)
    except ConfigError as exc:
        raise SetupError(str(exc)) from None
    definition = ceasefire.model_dump(mode="json")
    with system.engines.transaction() as batch:
        stored = {c.id: c for c in journal.stored_ceasefires(batch.conn)}
        if ceasefire.id in stored:
            if (
                stored[ceasefire.id].definition != definition
                or stored[ceasefire.id].policy_text != text
            ):
                raise SetupError(
                    f"ceasefire {ceasefire.id} is stored with other terms: give the new "
                    "terms a new id"
                )
            return Added(ceasefire.id, new=False, events=0)
        batch.add_ceasefire(
            StoredCeasefire(
                ceasefire.id,
                ceasefire.name,
                definition,
                policy.name,
                policy.version,
                text,
                batch.now,
            )
        )
        added = Added(ceasefire.id, new=True, events=len(batch.events))
    withdrawals.apply(system)
    return added


_parties = TypeAdapter(list[Party])


def read_parties(path: Path) -> list[Party]:
    """A directory file: a list of {code, name, roles}, or a mapping with `parties:`."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SetupError(f"{path}: {exc}") from None
    if isinstance(data, dict):
        data = data.get("parties")
    try:
        return _parties.validate_python(data)
    except ValidationError as exc:
        problems = "\n".join(
            f"{path}: parties.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise SetupError(problems) from None


def import_parties(system: System, parties: list[Party]) -> int:
    """Add or update parties of the directory; each change is audited."""
    rows = [
        {"code": p.code, "name": p.name, "roles": sorted(r.value for r in p.roles)} for p in parties
    ]
    with system.engines.transaction() as batch:
        known = {r["code"]: dict(r) for r in queries.parties(batch.conn)}
        changed = [row for row in rows if known.get(row["code"]) != row]
        bulk.upsert(batch.conn, tables.parties, changed)
        for row in changed:
            batch.note("party_saved", row)
    return len(changed)
