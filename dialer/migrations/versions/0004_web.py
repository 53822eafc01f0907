"""web sign-in: users, agents' PINs, workstations, login failures, sessions; the dialing switch

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dialing_switch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stopped', sa.Boolean(), nullable=False),
    sa.Column('end_live_calls', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_dialing_switch_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialing_switch'))
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account', ['account', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_address', ['address', 'at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'supervisor', 'client', 'agent', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('interface_language', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(role = 'client') = (client_id IS NOT NULL)", name=op.f('ck_users_client_has_client')),
    sa.CheckConstraint("(role = 'supervisor') = (site_id IS NOT NULL)", name=op.f('ck_users_supervisor_has_site')),
    sa.CheckConstraint("role <> 'agent'", name=op.f('ck_users_not_agent')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_users_client_id_clients')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_users_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_site_id'), ['site_id'], unique=False)

    op.create_table('workstations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_workstations_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workstations')),
    sa.UniqueConstraint('site_id', 'network', name=op.f('uq_workstations_site_id'))
    )
    op.create_table('agent_pins',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_pins_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_agent_pins'))
    )
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('admin', 'supervisor', 'client', 'agent', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (agent_id IS NULL)', name=op.f('ck_web_sessions_one_principal')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_web_sessions_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_web_sessions_token_sha256'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_agent_id'))

    op.drop_table('web_sessions')
    op.drop_table('agent_pins')
    op.drop_table('workstations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_site_id'))
        batch_op.drop_index(batch_op.f('ix_users_client_id'))

    op.drop_table('users')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_address')
        batch_op.drop_index('ix_login_failures_account')

    op.drop_table('login_failures')
    op.drop_table('dialing_switch')
