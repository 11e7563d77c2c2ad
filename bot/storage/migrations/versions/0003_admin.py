"""Admin room: published content versions and admin-assigned NLU training examples.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "content_versions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("rollback_of", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
    )
    op.create_index(op.f("ix_content_versions_published"), "content_versions", ["published"])
    op.create_table(
        "training_examples",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(96), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_examples")),
    )
    op.create_index(op.f("ix_training_examples_label"), "training_examples", ["label"])
    op.create_index(op.f("ix_training_examples_event_id"), "training_examples", ["event_id"])


def downgrade() -> None:
    op.drop_table("training_examples")
    op.drop_table("content_versions")
