"""safety: the immediate safety checklist of a case and its missing episodes (issue 10, part A)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 14:00:00
"""

from alembic import op
import sqlalchemy as sa

import conference.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'safety_checks',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('item', sa.String(length=40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('owner_agency_id', sa.Uuid(), nullable=True),
        sa.Column('due_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Uuid(), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_safety_checks_case_id_cases')),
        sa.ForeignKeyConstraint(
            ['owner_agency_id'], ['agencies.id'], name=op.f('fk_safety_checks_owner_agency_id_agencies')
        ),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_safety_checks_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_checks')),
        sa.UniqueConstraint('case_id', 'item', name=op.f('uq_safety_checks_case_id')),
    )
    with op.batch_alter_table('safety_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_checks_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_checks_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_checks_status'), ['status'], unique=False)

    op.create_table(
        'missing_episodes',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('last_seen_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reported_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('police_reference', sa.String(length=40), nullable=False),
        sa.Column('risk', sa.String(length=40), nullable=False),
        sa.Column('found_at', conference.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('found_where', sa.String(length=200), nullable=False),
        sa.Column('return_interview_by', sa.String(length=160), nullable=False),
        sa.Column('return_interview_due_at', conference.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('return_interview_done_at', conference.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('conference_id', sa.Uuid(), nullable=True),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', conference.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_missing_episodes_case_id_cases')),
        sa.ForeignKeyConstraint(
            ['conference_id'], ['conferences.id'], name=op.f('fk_missing_episodes_conference_id_conferences')
        ),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_missing_episodes_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_missing_episodes')),
    )
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_missing_episodes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_missing_episodes_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_missing_episodes_return_interview_due_at'), ['return_interview_due_at'], unique=False
        )


def downgrade() -> None:
    op.drop_table('missing_episodes')
    op.drop_table('safety_checks')
