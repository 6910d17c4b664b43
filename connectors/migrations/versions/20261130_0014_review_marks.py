"""review marks

What reviewers decided about citizen messages of the tracker store in the staff console's
conversation review: assigned an intent, added as a procedure alias, out of scope, saved as a
test. One row per message and decision.

Revision ID: 0014_review_marks
Revises: 0013_model_builds
Create Date: 2026-11-30 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014_review_marks'
down_revision = '0013_model_builds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('message_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('intent', 'alias', 'out_of_scope', 'test')", name=op.f('ck_review_mark_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_mark')),
    sa.UniqueConstraint('sender_id', 'position', 'decision', name='uq_review_mark_message_decision')
    )
    with op.batch_alter_table('review_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_mark_message_at'), ['message_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_mark_sender_id'), ['sender_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_mark_sender_id'))
        batch_op.drop_index(batch_op.f('ix_review_mark_message_at'))
    op.drop_table('review_mark')
