"""calls interviews and the trace

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trace_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_trace_checkpoints_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_checkpoints'))
    )
    with op.batch_alter_table('trace_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_checkpoints_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('trace_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('interview_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_trace_events_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_events')),
    sa.UniqueConstraint('campaign_id', 'seq', name=op.f('uq_trace_events_campaign_id'))
    )
    with op.batch_alter_table('trace_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_events_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index('ix_trace_events_contact', ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_events_interview_id'), ['interview_id'], unique=False)

    op.create_table('trace_heads',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_trace_heads_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_trace_heads'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('preview', 'progressive', name='dialingmode', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=False),
    sa.Column('dialed_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('connected_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ending', sa.String(length=40), nullable=True),
    sa.Column('disposition', sa.String(length=8), nullable=True),
    sa.Column('refusal', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_attempts_agent_id_agents')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_attempts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_attempts_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('contact_id', 'ordinal', name=op.f('uq_attempts_contact_id'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_contact_id'), ['contact_id'], unique=False)

    op.create_table('interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_slug', sa.String(length=100), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('catalog_sha256', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_id', sa.Integer(), nullable=True),
    sa.Column('ended_attempt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_interviews_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interviews_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_attempt_id'], ['attempts.id'], name=op.f('fk_interviews_last_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['ended_attempt_id'], ['attempts.id'], name=op.f('fk_interviews_ended_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviews')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_interviews_contact_id'))
    )
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviews_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('given', 'withdrawn', 'corrected', name='answerkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('shown_order', sa.JSON(), nullable=True),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_answers_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_answers_interview_id_interviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_interview_id'), ['interview_id'], unique=False)

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dialing_mode', sa.Enum('preview', 'progressive', name='dialingmode', native_enum=False, create_constraint=True, length=20), nullable=False, server_default='progressive'))
        batch_op.add_column(sa.Column('max_call_minutes', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('no_answer_seconds', sa.Integer(), nullable=False, server_default='30'))
        batch_op.create_check_constraint(op.f('ck_campaigns_max_call_positive'), 'max_call_minutes >= 1')
        batch_op.create_check_constraint(op.f('ck_campaigns_no_answer_range'), 'no_answer_seconds BETWEEN 5 AND 300')

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disposition', sa.String(length=8), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('disposition')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_no_answer_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_campaigns_max_call_positive'), type_='check')
        batch_op.drop_column('no_answer_seconds')
        batch_op.drop_column('max_call_minutes')
        batch_op.drop_column('dialing_mode')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_interview_id'))

    op.drop_table('answers')
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interviews_campaign_id'))

    op.drop_table('interviews')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_contact_id'))
        batch_op.drop_index(batch_op.f('ix_attempts_agent_id'))

    op.drop_table('attempts')
    op.drop_table('trace_heads')
    with op.batch_alter_table('trace_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_events_interview_id'))
        batch_op.drop_index('ix_trace_events_contact')
        batch_op.drop_index(batch_op.f('ix_trace_events_attempt_id'))

    op.drop_table('trace_events')
    with op.batch_alter_table('trace_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_checkpoints_campaign_id'))

    op.drop_table('trace_checkpoints')
