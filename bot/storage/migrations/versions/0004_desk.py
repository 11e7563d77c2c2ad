"""Desk: the status history of dossier drafts (received, needs documents, result ready, returned; official number).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "draft_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("draft_id", Id, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        sa.Column("official_number", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_draft_history_draft_id_drafts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_history")),
    )
    op.create_index(op.f("ix_draft_history_draft_id"), "draft_history", ["draft_id"])
    op.create_index(op.f("ix_draft_history_at"), "draft_history", ["at"])


def downgrade() -> None:
    op.drop_table("draft_history")
