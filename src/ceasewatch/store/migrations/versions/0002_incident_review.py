"""Incidents record who last set their status by hand, and why.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("reviewed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("review_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.drop_column("review_reason")
        table.drop_column("reviewed_by")
