"""feedback outbox

Complaints are forwarded to the province's feedback system through an outbox written in the same
transaction as the complaint: stored first, sent with retries, never lost while the upstream is
down, and never sent twice (a claim lease, and the tracking code as the idempotency key). The row
also remembers the upstream's id and status, which a periodic sync brings back to the citizen.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_outbox',
    sa.Column('tracking_code', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('upstream_id', sa.String(length=100), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('upstream_status', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(
        "state IN ('pending', 'sent', 'refused')", name=op.f('ck_feedback_outbox_state')
    ),
    sa.ForeignKeyConstraint(
        ['tracking_code'], ['feedback.tracking_code'],
        name=op.f('fk_feedback_outbox_tracking_code_feedback'), ondelete='CASCADE'
    ),
    sa.PrimaryKeyConstraint('tracking_code', name=op.f('pk_feedback_outbox'))
    )
    with op.batch_alter_table('feedback_outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_feedback_outbox_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('feedback_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_outbox_state_next_attempt_at')
    op.drop_table('feedback_outbox')
