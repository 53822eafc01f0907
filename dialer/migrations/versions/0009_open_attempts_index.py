"""calls: an index of the open attempts, which every claim reads for its agent

Without it, finding an agent's open attempt read every attempt the agent ever made, a cost
that grew with the campaign (docs/benchmarks.md, Simulator).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_open', ['agent_id'], unique=False,
                              sqlite_where=_OPEN, postgresql_where=_OPEN)


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_open', sqlite_where=_OPEN, postgresql_where=_OPEN)
