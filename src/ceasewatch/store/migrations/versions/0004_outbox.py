"""The outbox: notifications written with the events that caused them, then delivered.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant, Seq

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("ceasefire_id", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(300), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("party", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", Instant, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Instant, nullable=True),
        sa.Column("claimed_until", Instant, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", Instant, nullable=True),
        sa.Column("acked_at", Instant, nullable=True),
        sa.Column("acked_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox")
