"""Inbox: a channel message id is unique per conversation (channel + sender), not per channel.

Keyed on (channel, message_id) alone, a REST or web chat client that reused another sender's message id was
answered with that sender's stored replies. Redeliveries are recognised within the conversation only.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite rebuilds the table (batch mode); the migration engine runs without foreign-key enforcement,
    # so the outbox rows that point at inbox ids are left as they are.
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbox_channel_message", type_="unique")
        batch_op.create_unique_constraint("uq_inbox_conversation_message", ["conversation_id", "message_id"])


def downgrade() -> None:
    # Two senders that used the same id since the upgrade would break the old key: keep the oldest row.
    op.execute("DELETE FROM inbox WHERE id NOT IN (SELECT min(id) FROM inbox GROUP BY channel, message_id)")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbox_conversation_message", type_="unique")
        batch_op.create_unique_constraint("uq_inbox_channel_message", ["channel", "message_id"])
