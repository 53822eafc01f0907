"""results: the client's language and the contact fields a campaign's exports may carry

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), server_default='en',
                                      nullable=False))
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_contact_fields', sa.JSON(), server_default='[]',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('export_contact_fields')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('language')
