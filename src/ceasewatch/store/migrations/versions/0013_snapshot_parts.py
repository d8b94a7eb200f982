"""A snapshot's body in parts, each a row of its own.

Revision ID: 0013
Revises: 0012

A value may hold at most 1 GB in PostgreSQL and in SQLite; a snapshot's body, 60-100
bytes a report, reaches that at ten to fifteen million reports. The snapshots stored so far
(one value each, of the format before) are deleted: no version of ceasewatch that
reads this schema can use them, and the journal rebuilds what they held. Their size
in bytes becomes a 64-bit integer: a body and its front may pass 2 GB between them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Seq

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM snapshots")
    if op.get_bind().dialect.name != "sqlite":  # SQLite's INTEGER holds 64 bits already
        op.alter_column("snapshots", "size", type_=sa.BigInteger)
    op.create_table(
        "snapshot_parts",
        sa.Column("snapshot", Seq, primary_key=True, autoincrement=False),
        sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot_parts")
    op.execute("DELETE FROM snapshots")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("snapshots", "size", type_=sa.Integer)
