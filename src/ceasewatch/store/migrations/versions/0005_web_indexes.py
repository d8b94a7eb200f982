"""Indexes for the web dashboard: a case's milestones and newest incidents, the review queue.

A case with 100,000 violations holds as many `violation_added` events and incidents; the
case page reads its other events and its newest incidents through these indexes instead
of scanning all of them, and the analysts' queue finds the incidents awaiting review
without reading the verified ones.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_case_id_event", "events", ["case_id", "event"])
    op.create_index("ix_incidents_case_id_seq", "incidents", ["case_id", "seq"])
    op.create_index("ix_incidents_status_occurred_at", "incidents", ["status", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_status_occurred_at", "incidents")
    op.drop_index("ix_incidents_case_id_seq", "incidents")
    op.drop_index("ix_events_case_id_event", "events")
