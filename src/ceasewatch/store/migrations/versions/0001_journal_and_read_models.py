"""The journal (clock, ceasefires, reports, commands), read models, audit log, parties.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant, Seq

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("now", Instant, nullable=True),
        sa.Column("next_seq", Seq, nullable=False),
    )
    op.execute(sa.text("INSERT INTO clock (id, now, next_seq) VALUES (1, NULL, 1)"))
    op.create_table(
        "ceasefires",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("policy_name", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("policy_text", sa.Text, nullable=False),
        sa.Column("added_at", Instant, nullable=True),
    )
    op.create_table(
        "reports",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("clock", Instant, nullable=True),
        sa.Column("arrival", Instant, nullable=False),
        sa.Column("occurred_at", Instant, nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("perpetrator", sa.String(40), nullable=True),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("trusted", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("source", "id", name="uq_reports_source_id"),
    )
    op.create_index("ix_reports_occurred_at", "reports", ["occurred_at"])
    op.create_table(
        "commands",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("clock", Instant, nullable=True),
        sa.Column("ceasefire_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("ceasefire_id", sa.String(200), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(300), nullable=False),
        sa.Column("violator", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_case_id", "events", ["case_id"])
    op.create_table(
        "incidents",
        sa.Column("ceasefire_id", sa.String(200), primary_key=True),
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("perpetrator", sa.String(40), nullable=True),
        sa.Column("occurred_at", Instant, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("killed", sa.Integer, nullable=False),
        sa.Column("injured", sa.Integer, nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("verified_at", Instant, nullable=True),
        sa.Column("violation_at", Instant, nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("case_id", sa.String(300), nullable=True),
        sa.Column("reports", sa.JSON, nullable=False),
    )
    op.create_index("ix_incidents_case_id", "incidents", ["case_id"])
    op.create_index("ix_incidents_occurred_at", "incidents", ["occurred_at"])
    op.create_table(
        "cases",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("ceasefire_id", sa.String(200), nullable=False),
        sa.Column("violator", sa.String(40), nullable=False),
        sa.Column("phase", sa.Integer, nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("opened", Instant, nullable=False),
        sa.Column("opened_at", Instant, nullable=False),
        sa.Column("last_violation", Instant, nullable=True),
        sa.Column("closed_at", Instant, nullable=True),
        sa.Column("close_reason", sa.String(20), nullable=True),
        sa.Column("recommended", sa.JSON, nullable=False),
        sa.Column("settled", sa.JSON, nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("case_id", sa.String(300), primary_key=True),
        sa.Column("action_id", sa.String(100), primary_key=True),
        sa.Column("phase", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owners", sa.JSON, nullable=False),
        sa.Column("due", Instant, nullable=True),
        sa.Column("done_at", Instant, nullable=True),
        sa.Column("done_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("overdue_at", Instant, nullable=True),
    )
    op.create_index("ix_actions_due", "actions", ["due"])
    op.create_table(
        "decisions",
        sa.Column("case_id", sa.String(300), primary_key=True),
        sa.Column("phase", sa.Integer, primary_key=True),
        sa.Column("party", sa.String(40), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("authorise", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
    )
    op.create_table(
        "timers",
        sa.Column("ceasefire_id", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("action", sa.String(100), primary_key=True),
        sa.Column("due", Instant, primary_key=True),
    )
    op.create_index("ix_timers_due", "timers", ["due"])
    op.create_table(
        "audit",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("at", Instant, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "parties",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "parties",
        "audit",
        "timers",
        "decisions",
        "actions",
        "cases",
        "incidents",
        "events",
        "commands",
        "reports",
        "ceasefires",
        "clock",
    ):
        op.drop_table(table)
