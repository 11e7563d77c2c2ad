"""Assisted mode: who an assisted conversation is for (name, phone), and every claim of a desk-made draft.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "assisted_citizens",
        sa.Column("conversation_id", Id, nullable=False),
        sa.Column("citizen_name", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name=op.f("fk_assisted_citizens_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_assisted_citizens")),
    )
    op.create_index(op.f("ix_assisted_citizens_officer"), "assisted_citizens", ["officer"])
    op.create_index(op.f("ix_assisted_citizens_team"), "assisted_citizens", ["team"])
    op.create_index(op.f("ix_assisted_citizens_created_at"), "assisted_citizens", ["created_at"])
    op.create_table(
        "draft_claims",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("from_conversation_id", sa.Integer(), nullable=True),
        sa.Column("to_conversation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_claims")),
    )
    op.create_index("ix_draft_claims_code_at", "draft_claims", ["code", "at"])
    op.create_index(op.f("ix_draft_claims_to_conversation_id"), "draft_claims", ["to_conversation_id"])


def downgrade() -> None:
    op.drop_table("draft_claims")
    op.drop_table("assisted_citizens")
