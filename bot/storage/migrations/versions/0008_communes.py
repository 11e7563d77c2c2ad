"""Communes as data (issue 21): each commune's team, desk hours, address, phone and notes.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "communes",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("working_hours", sa.String(200), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_communes")),
    )
    op.create_index(op.f("ix_communes_team"), "communes", ["team"])


def downgrade() -> None:
    op.drop_index(op.f("ix_communes_team"), table_name="communes")
    op.drop_table("communes")
