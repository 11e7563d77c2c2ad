"""Scheduled daily reports (issue 21): each commune's and the province's XLSX of a day, kept for download.

Revision ID: 0009_daily_reports
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_daily_reports"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_report_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_to", sa.String(64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_report_files")),
        sa.UniqueConstraint("day", "scope", name="uq_daily_report_files_day_scope"),
    )
    op.create_index(op.f("ix_daily_report_files_day"), "daily_report_files", ["day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_daily_report_files_day"), table_name="daily_report_files")
    op.drop_table("daily_report_files")
