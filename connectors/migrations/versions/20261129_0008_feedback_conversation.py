"""feedback conversation

A complaint remembers the chat conversation it came from, so that a citizen's request to delete
their data (Decree 13/2023) also erases the contact details they left in a complaint.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.String(length=255), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_feedback_conversation_id'), ['conversation_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_conversation_id'))
        batch_op.drop_column('conversation_id')
