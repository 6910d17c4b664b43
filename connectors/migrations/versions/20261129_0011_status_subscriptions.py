"""status subscriptions

A citizen who looked up a dossier in Zalo may ask to be told when its status changes: one row per
conversation and dossier, cancelled by "huỷ thông báo", expired when Zalo's 7-day window closes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('status_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_code', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_interaction_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('zalo')", name=op.f('ck_status_subscription_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_subscription')),
    sa.UniqueConstraint(
        'application_code', 'channel', 'sender_id',
        name=op.f('uq_status_subscription_application_code')
    )
    )
    with op.batch_alter_table('status_subscription', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_status_subscription_application_code'), ['application_code'],
            unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_status_subscription_sender_id'), ['sender_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('status_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_subscription_sender_id'))
        batch_op.drop_index(batch_op.f('ix_status_subscription_application_code'))
    op.drop_table('status_subscription')
