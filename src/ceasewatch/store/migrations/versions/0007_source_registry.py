"""The source registry, and reporters bound to sources; tokens expire.

The registry is declared by journal commands that belong to no one ceasefire (every
engine takes them), so `commands.ceasefire_id` may be null; `sources` lists the registry
as it stands. A token records the sources a reporter may report as, and when it expires.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant, Seq

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commands") as table:
        table.alter_column("ceasefire_id", existing_type=sa.String(200), nullable=True)
    with op.batch_alter_table("tokens") as table:
        table.add_column(sa.Column("expires_at", Instant, nullable=True))
        table.add_column(sa.Column("sources", sa.JSON, nullable=False, server_default="[]"))
    op.create_table(
        "sources",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=True),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("credibility", sa.Integer, nullable=True),
        sa.Column("independence_group", sa.String(200), nullable=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("declared_at", Instant, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sources")
    with op.batch_alter_table("tokens") as table:
        table.drop_column("sources")
        table.drop_column("expires_at")
    with op.batch_alter_table("commands") as table:
        table.alter_column("ceasefire_id", existing_type=sa.String(200), nullable=False)
