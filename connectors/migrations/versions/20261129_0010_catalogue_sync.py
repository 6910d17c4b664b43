"""catalogue sync

A newer national catalogue is synced rather than only imported: procedures it no longer lists
are retired (kept, since dossiers name them, but never served as current), curated entries whose
national record changed are flagged for staff review, and every sync run is recorded with its
report. catalogue_curated_national keeps the national record each curated entry replaces, the
baseline the next sync compares with.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('catalogue_sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint(
        "status IN ('applied', 'refused', 'failed')", name=op.f('ck_catalogue_sync_run_status')
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_sync_run'))
    )
    with op.batch_alter_table('catalogue_sync_run', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_catalogue_sync_run_started_at'), ['started_at'], unique=False
        )
    op.create_table('catalogue_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_code', sa.String(length=32), nullable=False),
    sa.Column('national_code', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.CheckConstraint(
        "reason IN ('changed', 'withdrawn', 'restored')", name=op.f('ck_catalogue_review_reason')
    ),
    sa.ForeignKeyConstraint(
        ['procedure_code'], ['procedure.code'],
        name=op.f('fk_catalogue_review_procedure_code_procedure'), ondelete='CASCADE'
    ),
    sa.ForeignKeyConstraint(
        ['sync_run_id'], ['catalogue_sync_run.id'],
        name=op.f('fk_catalogue_review_sync_run_id_catalogue_sync_run'), ondelete='SET NULL'
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_review'))
    )
    with op.batch_alter_table('catalogue_review', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_catalogue_review_procedure_code'), ['procedure_code'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_catalogue_review_resolved_at'), ['resolved_at'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_catalogue_review_sync_run_id'), ['sync_run_id'], unique=False
        )
    op.create_table('catalogue_curated_national',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_catalogue_curated_national'))
    )


def downgrade() -> None:
    op.drop_table('catalogue_curated_national')
    with op.batch_alter_table('catalogue_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_review_sync_run_id'))
        batch_op.drop_index(batch_op.f('ix_catalogue_review_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_catalogue_review_procedure_code'))
    op.drop_table('catalogue_review')
    with op.batch_alter_table('catalogue_sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_sync_run_started_at'))
    op.drop_table('catalogue_sync_run')
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
