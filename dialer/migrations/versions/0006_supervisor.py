"""supervisor desk: an index of the refused dials, which the live board lists every second

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

_REFUSED = sa.text("refusal IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_refused', ['id'], unique=False,
                              sqlite_where=_REFUSED, postgresql_where=_REFUSED)


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_refused', sqlite_where=_REFUSED,
                            postgresql_where=_REFUSED)
