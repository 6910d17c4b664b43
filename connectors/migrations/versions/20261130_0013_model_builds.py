"""model builds, scores and publications

The staff console's "train and publish": each build (validate, train, score) with its log, each
model's scores (by content digest, computed once), each publish or rollback with every Rasa
server's answer.

Revision ID: 0013_model_builds
Revises: 0012_admin_audit
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_model_builds'
down_revision = '0012_admin_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_build',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('model_file', sa.String(length=255), nullable=True),
    sa.Column('scores_json', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('log', sa.Text(), nullable=False),
    sa.CheckConstraint(
        "status IN ('running', 'succeeded', 'failed', 'interrupted')",
        name=op.f('ck_model_build_status'),
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_build'))
    )
    with op.batch_alter_table('model_build', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_build_status'), ['status'], unique=False)

    op.create_table('model_score',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('model_file', sa.String(length=255), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scores_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_model_score'))
    )
    op.create_table('model_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('model_file', sa.String(length=255), nullable=False),
    sa.Column('previous_model_file', sa.String(length=255), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('rolled_back', sa.Boolean(), nullable=False),
    sa.Column('servers_json', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('publish', 'rollback')", name=op.f('ck_model_publication_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_publication'))
    )


def downgrade() -> None:
    op.drop_table('model_publication')
    op.drop_table('model_score')
    with op.batch_alter_table('model_build', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_build_status'))
    op.drop_table('model_build')
