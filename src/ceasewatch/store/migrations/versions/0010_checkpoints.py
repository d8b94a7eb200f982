"""The parties' keys, checkpoints of the audit log and the parties' signatures on them.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant, Seq

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_keys",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("key_id", sa.String(8), primary_key=True),
        sa.Column("party", sa.String(40), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("added_at", Instant, nullable=False),
        sa.Column("retired_at", Instant, nullable=True),
    )
    op.create_index("ix_party_keys_party", "party_keys", ["party"])
    op.create_table(
        "checkpoints",
        sa.Column("size", Seq, primary_key=True, autoincrement=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_table(
        "checkpoint_signatures",
        sa.Column("size", Seq, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("key_id", sa.String(8), primary_key=True),
        sa.Column("party", sa.String(40), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("signed_at", Instant, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkpoint_signatures")
    op.drop_table("checkpoints")
    op.drop_index("ix_party_keys_party", "party_keys")
    op.drop_table("party_keys")
