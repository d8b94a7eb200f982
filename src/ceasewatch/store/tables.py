"""The schema, one for SQLite and PostgreSQL (SQLAlchemy Core; Alembic migrates it).

Two kinds of table:

- the **journal**, what the engines are a function of: `reports` and `commands` (the
  inputs, numbered by one sequence `seq`, each with the engine clock it was taken at; a
  command for no one ceasefire, such as declaring sources, goes to every engine),
  the `clock` row (the stored clock, and the lock every writer takes), `ceasefires`;
- **read models** the engines' outputs are written to, in the same transaction as the
  inputs that caused them: `events`, `incidents`, `cases`, `actions`, `decisions`,
  `timers`, `sources` (the registry as it stands), and the hash-chained `audit` log.

`parties` is the stakeholder directory. `snapshots` holds the engines' state at journal
positions: a cache of the journal, never the truth (a process may start from one).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .types import Instant, Seq

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

clock = Table(
    "clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("now", Instant, nullable=True),
    Column("next_seq", Seq, nullable=False),
)
"""One row: the stored clock, the next journal number, and the row every writer locks."""

ceasefires = Table(
    "ceasefires",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("definition", JSON, nullable=False),  # the ceasefire as validated, zone inline
    Column("policy_name", String(200), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("policy_text", Text, nullable=False),  # the policy YAML it runs under
    Column("added_at", Instant, nullable=True),  # the stored clock when it was added
)

reports = Table(
    "reports",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("source", String(200), nullable=False),
    Column("id", String(200), nullable=False),
    Column("clock", Instant, nullable=True),  # the engine clock when it was taken
    Column("arrival", Instant, nullable=False),
    Column("occurred_at", Instant, nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("perpetrator", String(40), nullable=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("trusted", Boolean, nullable=False),
    Column("body", Text, nullable=False),  # the report's canonical JSON
    Column("sha256", String(64), nullable=False),  # of body, as UTF-8
    UniqueConstraint("source", "id"),
    Index(None, "occurred_at"),
)

commands = Table(
    "commands",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("clock", Instant, nullable=True),
    Column("ceasefire_id", String(200), nullable=True),  # null: every ceasefire's engine
    Column("kind", String(40), nullable=False),
    Column("body", JSON, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("ceasefire_id", String(200), nullable=False),
    Column("at", Instant, nullable=False),
    Column("event", String(40), nullable=False),
    Column("case_id", String(300), nullable=False),
    Column("violator", String(40), nullable=False),
    Column("details", JSON, nullable=False),
    Index(None, "at"),
    Index(None, "case_id", "event"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("ceasefire_id", String(200), primary_key=True),
    Column("id", String(100), primary_key=True),
    Column("seq", Seq, nullable=False),
    Column("status", String(20), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("perpetrator", String(40), nullable=True),
    Column("occurred_at", Instant, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("killed", Integer, nullable=False),
    Column("injured", Integer, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("verified_at", Instant, nullable=True),
    Column("violation_at", Instant, nullable=True),
    Column("verified_by", String(200), nullable=True),
    Column("verified_how", String(20), nullable=True),  # domain.incidents.Verification
    Column("case_id", String(300), nullable=True),
    Column("reports", JSON, nullable=False),  # (source, id) of each of its reports
    Column("reviewed_by", String(200), nullable=True),  # who last set the status by hand
    Column("review_reason", Text, nullable=True),
    Column("response_to", String(300), nullable=True),  # the case whose breach it halted
    Index(None, "response_to"),
    Index(None, "occurred_at"),
    Index(None, "case_id", "seq"),
    Index(None, "status", "occurred_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("ceasefire_id", String(200), nullable=False),
    Column("violator", String(40), nullable=False),
    Column("phase", Integer, nullable=False),
    Column("severity", String(20), nullable=False),
    Column("opened", Instant, nullable=False),  # the opening violation's occurred_at
    Column("opened_at", Instant, nullable=False),
    Column("last_violation", Instant, nullable=True),
    Column("closed_at", Instant, nullable=True),
    Column("close_reason", String(20), nullable=True),
    Column("recommended", JSON, nullable=False),  # phase -> when it was recommended
    Column("settled", JSON, nullable=False),  # phase -> [standing, when]
)

actions = Table(
    "actions",
    metadata,
    Column("case_id", String(300), primary_key=True),
    Column("action_id", String(100), primary_key=True),
    Column("phase", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("owners", JSON, nullable=False),
    Column("due", Instant, nullable=True),
    Column("done_at", Instant, nullable=True),
    Column("done_by", String(200), nullable=True),
    Column("note", Text, nullable=True),
    Column("overdue_at", Instant, nullable=True),
    Column("evidence", JSON, nullable=False, server_default="[]"),  # [{uri, sha256}]
    Index(None, "due"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("case_id", String(300), primary_key=True),
    Column("phase", Integer, primary_key=True),
    Column("party", String(40), primary_key=True),
    Column("position", Integer, nullable=False),  # its place among the case's decisions
    Column("authorise", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", Instant, nullable=False),
    Column("roles", JSON, nullable=False),
)

timers = Table(
    "timers",
    metadata,
    Column("ceasefire_id", String(200), primary_key=True),
    Column("case_id", String(300), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("action", String(100), primary_key=True),
    Column("due", Instant, primary_key=True),
    Index(None, "due"),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("at", Instant, nullable=True),  # the stored clock
    Column("kind", String(40), nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("webhook_url", Text, nullable=True),
    Column("webhook_secret", Text, nullable=True),  # signs webhooks; never shown back
    Column("emails", JSON, nullable=False, server_default="[]"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(40), nullable=False),
    Column("party", String(40), nullable=True),  # a decision maker's party
    Column("digest", String(64), nullable=False),  # SHA-256 of the token; never the token
    Column("created_at", Instant, nullable=False),  # wall-clock time
    Column("revoked_at", Instant, nullable=True),
    Column("expires_at", Instant, nullable=True),  # wall-clock time; null: never
    Column("sources", JSON, nullable=False, server_default="[]"),  # a reporter's sources
    UniqueConstraint("digest"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(40), nullable=True),
    Column("reliability", String(1), nullable=False),
    Column("credibility", Integer, nullable=True),
    Column("independence_group", String(200), nullable=True),  # null: its own (its id)
    Column("seq", Seq, nullable=False),  # the journal command that last declared it
    Column("declared_at", Instant, nullable=True),  # the stored clock then
)
"""The source registry as it stands, for listing (the journal's commands hold its history)."""

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the cookie's session id
    Column("token_digest", String(64), nullable=False),  # the token signed in with
    Column("started_at", Instant, nullable=False),  # wall-clock time
)
"""Signed-in web sessions: one row each until signed out (the cookie alone is not enough)."""

incident_reports = Table(
    "incident_reports",
    metadata,
    Column("ceasefire_id", String(200), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("report_id", String(200), primary_key=True),
    Column("incident_id", String(100), nullable=False),
)
"""Which incident each report is in, per ceasefire: to filter reports by status."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),  # the Idempotency-Key: one per notice
    Column("ceasefire_id", String(200), nullable=False),
    Column("case_id", String(300), nullable=False),
    Column("event", String(40), nullable=False),
    Column("party", String(40), nullable=False),
    Column("kind", String(40), nullable=False),  # warning, action_due, overdue, ...
    Column("channel", String(10), nullable=False),  # webhook or email
    Column("address", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the exact JSON sent (and signed)
    Column("created_at", Instant, nullable=True),  # the stored clock
    Column("status", String(20), nullable=False),  # pending, sending, sent, dead, acknowledged
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Instant, nullable=True),  # wall clock; null: at once
    Column("claimed_until", Instant, nullable=True),  # a sender's claim, wall clock
    Column("last_error", Text, nullable=True),
    Column("sent_at", Instant, nullable=True),
    Column("acked_at", Instant, nullable=True),
    Column("acked_by", String(200), nullable=True),
    UniqueConstraint("key"),
    Index(None, "status", "next_attempt_at"),
)
"""Notifications, written in the transaction of the events that caused them."""

snapshots = Table(
    "snapshots",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("position", Seq, nullable=False),  # the last journal number the state has taken
    Column("clock", Instant, nullable=True),  # the stored clock the engines stood at
    Column("code", String(64), nullable=False),  # the engine code's version (a digest)
    Column("ceasefires", JSON, nullable=False),  # {id: digest of definition and policy}
    Column("taken_at", Instant, nullable=False),  # wall-clock time
    Column("size", Seq, nullable=False),  # bytes of `state` and of its body's parts
    Column("sha256", String(64), nullable=False),  # of `state`, then each part in order
    Column("state", LargeBinary, nullable=False),  # zlib-compressed pickle of the engines
    Index(None, "position"),
)
"""The engines' state saved at journal positions, so a process need not replay it all."""

snapshot_parts = Table(
    "snapshot_parts",
    metadata,
    Column("snapshot", Seq, primary_key=True, autoincrement=False),  # snapshots.seq
    Column("part", Integer, primary_key=True, autoincrement=False),  # 0, 1, ...
    Column("data", LargeBinary, nullable=False),  # a few MB of the compressed body
)
"""A snapshot's body, in parts: no value may exceed 1 GB, which a body of ten to fifteen
million reports would."""

party_keys = Table(
    "party_keys",
    metadata,
    Column("name", String(200), primary_key=True),  # the key name in signature lines
    Column("key_id", String(8), primary_key=True),  # hex: SHA-256(name, 0x0A, 0x01, key)[:4]
    Column("party", String(40), nullable=False),
    Column("public_key", String(64), nullable=False),  # base64 of the 32-byte Ed25519 key
    Column("added_at", Instant, nullable=False),  # wall-clock time
    Column("retired_at", Instant, nullable=True),  # replaced by a newer key: signs no more
    Index(None, "party"),
)
"""The parties' public keys: every key ever registered, so old signatures still verify."""

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", Seq, primary_key=True, autoincrement=False),  # audit entries covered
    Column("origin", String(200), nullable=False),  # the log's name, ceasewatch/<id>
    Column("root", String(64), nullable=False),  # base64 RFC 6962 root of entries 1..size
    Column("head", String(64), nullable=False),  # hash of entry `size`
    Column("created_at", Instant, nullable=False),  # wall-clock time
)
"""Checkpoints of the audit log (C2SP tlog-checkpoint): what the parties co-sign."""

checkpoint_signatures = Table(
    "checkpoint_signatures",
    metadata,
    Column("size", Seq, primary_key=True, autoincrement=False),
    Column("name", String(200), primary_key=True),
    Column("key_id", String(8), primary_key=True),
    Column("party", String(40), nullable=False),
    Column("signature", Text, nullable=False),  # base64(key ID || Ed25519 signature)
    Column("signed_at", Instant, nullable=False),  # wall-clock time it was stored
)
"""Each party's signature line on a checkpoint, verified before it was stored."""
