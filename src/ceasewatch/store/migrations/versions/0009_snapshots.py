"""Engine snapshots: the engines' state at a journal position, so a process starts there.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant, Seq

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("position", Seq, nullable=False),
        sa.Column("clock", Instant, nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("ceasefires", sa.JSON, nullable=False),
        sa.Column("taken_at", Instant, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_snapshots_position", "snapshots", ["position"])


def downgrade() -> None:
    op.drop_index("ix_snapshots_position", table_name="snapshots")
    op.drop_table("snapshots")
