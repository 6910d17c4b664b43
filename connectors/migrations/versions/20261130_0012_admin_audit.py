"""staff console: the editor role and the audit log

Editors change the bot's intents, responses and catalogue from the console; every change the
console makes is recorded (who, when, what, the value before and after, as JSON text).

Revision ID: 0012_admin_audit
Revises: 0011
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_admin_audit'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('agent', 'supervisor', 'admin')"
NEW_ROLES = "role IN ('agent', 'supervisor', 'editor', 'admin')"


def _roles(check: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table with the new one
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_staff_account_role'), sa.text(check))


def upgrade() -> None:
    _roles(NEW_ROLES)
    op.create_table('admin_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit'))
    )
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_audit_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_audit_at'))
    op.drop_table('admin_audit')
    # editors become supervisors (the role below): the old CHECK would refuse them
    op.execute("UPDATE staff_account SET role = 'supervisor' WHERE role = 'editor'")
    _roles(OLD_ROLES)
