"""contacts, agents, campaigns and dispatch

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('code', name=op.f('uq_clients_code'))
    )
    op.create_table('do_not_call',
    sa.Column('phone_e164', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('phone_e164', name=op.f('pk_do_not_call'))
    )
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('hourly_pay_rate', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('pay_currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('hourly_pay_rate >= 0', name=op.f('ck_sites_pay_rate_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('code', name=op.f('uq_sites_code'))
    )
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('interface_language', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('ready_since', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_agents_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('code', name=op.f('uq_agents_code'))
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agents_site_id'), ['site_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('questionnaire_path', sa.String(length=500), nullable=False),
    sa.Column('questionnaire_slug', sa.String(length=100), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('allowed_countries', sa.JSON(), nullable=False),
    sa.Column('allowed_number_types', sa.JSON(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('minimum_language_level', sa.Enum('basic', 'working', 'fluent', 'native', name='languagelevel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('skip_public_holidays', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'running', 'paused', 'finished', name='campaignstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.CheckConstraint('max_attempts >= 1', name=op.f('ck_campaigns_max_attempts_positive')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_campaigns_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('code', name=op.f('uq_campaigns_code'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_client_id'), ['client_id'], unique=False)

    op.create_table('agent_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_exclusions_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_exclusions')),
    sa.UniqueConstraint('agent_id', 'prefix', name=op.f('uq_agent_exclusions_agent_id'))
    )
    op.create_table('agent_languages',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Enum('basic', 'working', 'fluent', 'native', name='languagelevel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_languages_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'language', name=op.f('pk_agent_languages'))
    )
    op.create_table('agent_skills',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_skills_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'skill', name=op.f('pk_agent_skills'))
    )
    op.create_table('calling_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.CheckConstraint('start < "end"', name=op.f('ck_calling_windows_start_before_end')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_calling_windows_weekday')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_calling_windows_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calling_windows'))
    )
    with op.batch_alter_table('calling_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calling_windows_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('closed_quotas',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('quota_id', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_closed_quotas_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'quota_id', name=op.f('pk_closed_quotas'))
    )
    op.create_table('dispatch_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_dispatch_groups_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_groups')),
    sa.UniqueConstraint('campaign_id', 'language', 'time_zone', 'country', name=op.f('uq_dispatch_groups_campaign_id'))
    )
    op.create_table('retry_rules',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('delay_minutes >= 0', name=op.f('ck_retry_rules_delay_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_retry_rules_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'outcome', name=op.f('pk_retry_rules'))
    )
    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_shifts_weekday')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_shifts_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('agent_id', 'weekday', 'start', name=op.f('uq_shifts_agent_id'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shifts_agent_id'), ['agent_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('phone_e164', sa.String(length=16), nullable=False),
    sa.Column('masked_number', sa.String(length=32), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'done', 'quota_full', 'do_not_call', name='contactstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('phase', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('held_by_agent_id', sa.Integer(), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('appointment_agent_id', sa.Integer(), nullable=True),
    sa.Column('import_line', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_agent_id'], ['agents.id'], name=op.f('fk_contacts_appointment_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_contacts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['dispatch_groups.id'], name=op.f('fk_contacts_group_id_dispatch_groups')),
    sa.ForeignKeyConstraint(['held_by_agent_id'], ['agents.id'], name=op.f('fk_contacts_held_by_agent_id_agents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('campaign_id', 'phone_e164', name=op.f('uq_contacts_campaign_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_dispatch', ['phase', 'group_id', 'due_at'], unique=False, sqlite_where=sa.text("state = 'waiting'"), postgresql_where=sa.text("state = 'waiting'"))



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_dispatch', sqlite_where=sa.text("state = 'waiting'"), postgresql_where=sa.text("state = 'waiting'"))

    op.drop_table('contacts')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shifts_agent_id'))

    op.drop_table('shifts')
    op.drop_table('retry_rules')
    op.drop_table('dispatch_groups')
    op.drop_table('closed_quotas')
    with op.batch_alter_table('calling_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calling_windows_campaign_id'))

    op.drop_table('calling_windows')
    op.drop_table('agent_skills')
    op.drop_table('agent_languages')
    op.drop_table('agent_exclusions')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_client_id'))

    op.drop_table('campaigns')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agents_site_id'))

    op.drop_table('agents')
    op.drop_table('sites')
    op.drop_table('do_not_call')
    op.drop_table('clients')
