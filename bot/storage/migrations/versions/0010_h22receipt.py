"""The photo of the portal's receipt a citizen sent for their draft (issue 22), read by the digital team.

Revision ID: 0010_h22receipt
Revises: 0010_h21codes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_h22receipt"
down_revision = "0010_h21codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_receipts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mime_type", sa.String(32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_draft_receipts_draft_id_drafts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_receipts")),
        sa.UniqueConstraint("draft_id", name=op.f("uq_draft_receipts_draft_id")),
    )


def downgrade() -> None:
    op.drop_table("draft_receipts")
