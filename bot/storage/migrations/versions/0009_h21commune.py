"""A conversation's commune recorded at write time on its events and drafts (issue 21): per-commune report figures
stay put when the citizen later changes commune or erases their data.

Revision ID: 0009_h21commune
Revises: 0009_daily_reports
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_h21commune"
down_revision = "0009_daily_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("commune", sa.String(16), nullable=True))
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("commune", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("commune")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("commune")
