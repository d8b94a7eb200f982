"""Incidents record the case whose breach their fire acted to halt (rule 7).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("response_to", sa.String(300), nullable=True))
        table.create_index("ix_incidents_response_to", ["response_to"])


def downgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.drop_index("ix_incidents_response_to")
        table.drop_column("response_to")
