"""partner API tokens: hashed, revocable, expiring, scoped to campaigns

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=60), nullable=True),
    sa.CheckConstraint('(revoked_at IS NULL) = (revoked_by IS NULL)', name=op.f('ck_partner_tokens_revocation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_tokens')),
    sa.UniqueConstraint('key', name=op.f('uq_partner_tokens_key')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_partner_tokens_token_sha256'))
    )
    op.create_table('partner_token_campaigns',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_partner_token_campaigns_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['partner_tokens.id'], name=op.f('fk_partner_token_campaigns_token_id_partner_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'campaign_id', name=op.f('pk_partner_token_campaigns'))
    )
    with op.batch_alter_table('partner_token_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_token_campaigns_campaign_id'), ['campaign_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('partner_token_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_token_campaigns_campaign_id'))

    op.drop_table('partner_token_campaigns')
    op.drop_table('partner_tokens')
