"""Setting a database up: its schema, its ceasefires, its stakeholder directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ..audit import canonical, sha256_hex
from ..config import ConfigError, load_ceasefire, policy_text
from ..domain.ceasefire import Ceasefire
from ..domain.parties import Party
from ..domain.policy import PolicyInvalid, parse_policy
from ..domain.problems import problems_in
from ..store import bulk, database, journal, queries, tables
from ..store.journal import StoredCeasefire
from . import unit_of_work, withdrawals
from .handed import in_the_writer
from .system import System
from .webhook_targets import TargetRefused, WebhookTargets


class SetupError(ValueError):
    """A ceasefire or directory file that cannot be stored, and why."""


class WebhooksRefused(SetupError):
    """Parties whose webhook URL this server will not send to: (code, why) each."""

    def __init__(self, refused: list[tuple[str, str]]) -> None:
        super().__init__("\n".join(f"party {code}: webhook_url: {why}" for code, why in refused))
        self.refused = refused

    def __reduce__(self) -> tuple[type[WebhooksRefused], tuple[list[tuple[str, str]]]]:
        """Pickled by what it was made from: a server's writer raises it for a worker."""
        return (type(self), (self.refused,))


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
    """Store the ceasefire of a file (validated as `replay` does); see `store_ceasefire`."""
    try:
        ceasefire = load_ceasefire(path)
        text, origin = policy_text(ceasefire.policy, base=path.parent)
    except ConfigError as exc:
        raise SetupError(str(exc)) from None
    return store_ceasefire(system, ceasefire, text, origin)


@in_the_writer
def store_ceasefire(
    system: System, ceasefire: Ceasefire, policy_yaml: str, origin: str = "policy"
) -> Added:
    """Store a ceasefire with its policy's text, and run its engine over the journal.

    Adding the same terms again changes nothing; other terms under a stored id are
    refused: a ceasefire's terms are never rewritten, new ones get a new id. Reports their
    sources withdrew before it was added are rejected in it too.
    """
    try:
        policy = parse_policy(policy_yaml, origin)
    except PolicyInvalid as exc:
        raise SetupError(str(exc)) from None
    definition = ceasefire.model_dump(mode="json")
    with unit_of_work.protocol(system) as batch:
        stored = {c.id: c for c in journal.stored_ceasefires(batch.conn)}
        known = stored.get(ceasefire.id)
        if known is not None:
            if known.definition != definition or known.policy_text != policy_yaml:
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
                policy_yaml,
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
    except OSError as exc:
        raise SetupError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SetupError(f"{path}: {exc}") from None
    if isinstance(data, dict):
        data = data.get("parties")
    try:
        return _parties.validate_python(data)
    except ValidationError as exc:
        problems = problems_in(exc, path_of=lambda loc: ("parties", *loc))
        raise SetupError("\n".join(p.render(str(path)) for p in problems)) from None


@in_the_writer
def import_parties(
    system: System, parties: list[Party], webhooks: WebhookTargets | None = None
) -> int:
    """Add or update parties of the directory; each change is audited (see
    `audited_party`). Nothing is stored when a webhook URL goes where `webhooks`
    (default: public addresses only) does not allow."""
    check_webhooks(parties, webhooks or WebhookTargets())
    rows = [party_row(p) for p in parties]
    with unit_of_work.protocol(system) as batch:
        known = {r["code"]: dict(r) for r in queries.parties(batch.conn)}
        changed = [row for row in rows if known.get(row["code"]) != row]
        bulk.upsert(batch.conn, tables.parties, changed)
        for row in changed:
            batch.note("party_saved", audited_party(row))
    return len(changed)


def check_webhooks(parties: list[Party], webhooks: WebhookTargets) -> None:
    refused: list[tuple[str, str]] = []
    for party in parties:
        if party.webhook_url:
            try:
                webhooks.check(party.webhook_url)
            except TargetRefused as exc:
                refused.append((party.code, str(exc)))
    if refused:
        raise WebhooksRefused(refused)


def audited_party(row: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a directory row. Every role reads the log, so it holds
    the contact details' SHA-256 (of the canonical JSON of `webhook_url` and `emails`),
    which proves what they were to whoever holds them, and not the details themselves."""
    contacts = {"webhook_url": row["webhook_url"], "emails": row["emails"]}
    return {
        "code": row["code"],
        "name": row["name"],
        "roles": row["roles"],
        "contacts_sha256": sha256_hex(canonical(contacts)),
        "webhook_secret_set": bool(row["webhook_secret"]),
    }


def party_row(party: Party) -> dict[str, Any]:
    return {
        "code": party.code,
        "name": party.name,
        "roles": sorted(r.value for r in party.roles),
        "webhook_url": party.webhook_url,
        "webhook_secret": party.webhook_secret,
        "emails": list(party.emails),
    }
