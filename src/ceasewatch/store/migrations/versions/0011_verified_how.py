"""Incidents record how they were verified: corroboration, a graded report, an analyst, or
trusted input (the map's panel says which).

Revision ID: 0011
Revises: 0010

Before it, `verified_by` named only an analyst or `trusted input`; those rows are filled
in here. Which of the two ways of rule 6 verified the others was not kept: they stay
empty, and the pages say "by the corroboration rule".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("verified_how", sa.String(20), nullable=True))
    incidents = sa.table(
        "incidents", sa.column("verified_by", sa.String), sa.column("verified_how", sa.String)
    )
    op.execute(
        incidents.update()
        .where(incidents.c.verified_by == "trusted input")
        .values(verified_how="trusted_input")
    )
    op.execute(
        incidents.update()
        .where(incidents.c.verified_by.is_not(None), incidents.c.verified_how.is_(None))
        .values(verified_how="analyst")
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.drop_column("verified_how")
