"""The API's needs: tokens (as SHA-256 digests), the directory's webhooks and e-mail,
evidence for actions done, and which incident each report is in (per ceasefire).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasewatch.store.types import Instant

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("party", sa.String(40), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("revoked_at", Instant, nullable=True),
        sa.UniqueConstraint("digest", name="uq_tokens_digest"),
    )
    with op.batch_alter_table("parties") as table:
        table.add_column(sa.Column("webhook_url", sa.Text, nullable=True))
        table.add_column(sa.Column("webhook_secret", sa.Text, nullable=True))
        table.add_column(sa.Column("emails", sa.JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("actions") as table:
        table.add_column(sa.Column("evidence", sa.JSON, nullable=False, server_default="[]"))
    op.create_table(
        "incident_reports",
        sa.Column("ceasefire_id", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("report_id", sa.String(200), primary_key=True),
        sa.Column("incident_id", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incident_reports")
    with op.batch_alter_table("actions") as table:
        table.drop_column("evidence")
    with op.batch_alter_table("parties") as table:
        table.drop_column("emails")
        table.drop_column("webhook_secret")
        table.drop_column("webhook_url")
    op.drop_table("tokens")
