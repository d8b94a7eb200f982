"""Drop two indexes that others already cover: `incidents(case_id)` is the leading part of
`incidents(case_id, seq)`, and `events(case_id)` of `events(case_id, event)`.

Revision ID: 0012
Revises: 0011

Every report ingested writes an incident row and an event row; each index on them is one
more B-tree to update (issue 15: durable ingest). A lookup by `case_id` alone uses the
wider index just as well.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_incidents_case_id", "incidents")
    op.drop_index("ix_events_case_id", "events")


def downgrade() -> None:
    op.create_index("ix_events_case_id", "events", ["case_id"])
    op.create_index("ix_incidents_case_id", "incidents", ["case_id"])
