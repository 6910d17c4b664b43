"""catalogue fingerprint and twin procedures

The national catalogue ships with the project and is imported on start only when it changed:
catalogue_state remembers what was imported. The catalogue lists many procedures twice or more
(the same one at commune, province and ministry level): same_as points a twin at the one that
answers for it, so citizens get one answer, never two buttons with the same title.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('catalogue_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_fingerprint', sa.String(length=64), nullable=True))
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('same_as', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('same_as')
    with op.batch_alter_table('catalogue_state', schema=None) as batch_op:
        batch_op.drop_column('national_fingerprint')
