"""dossier source and supplement deadline

Demo dossiers are marked so that reloading them (dated relative to the day) replaces only them;
a dossier waiting for a supplement carries the deadline the citizen must meet.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplement_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='local', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('supplement_due_at')
