"""case_facts: the history of a case's facts (and saves refused as conflicts), age assessment, legal status, linked cases

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05 13:45:00
"""

from alembic import op
import sqlalchemy as sa

import conference.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_status', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('age_assessment_requested_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('age_assessment_carried_out_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('age_assessment_outcome', sa.String(length=300), nullable=False, server_default='')
        )

    op.create_table('case_fact_changes',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('fact', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=False),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_fact_changes_case_id_cases')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_case_fact_changes_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_fact_changes'))
    )
    with op.batch_alter_table('case_fact_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_fact_changes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_fact_changes_changed_at'), ['changed_at'], unique=False)

    op.create_table('case_fact_conflicts',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('attempted', sa.JSON(), nullable=False),
    sa.Column('conflicting', sa.JSON(), nullable=False),
    sa.Column('created_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_fact_conflicts_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_fact_conflicts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_fact_conflicts'))
    )
    with op.batch_alter_table('case_fact_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_fact_conflicts_case_id'), ['case_id'], unique=False)

    op.create_table('case_links',
    sa.Column('first_case_id', sa.Uuid(), nullable=False),
    sa.Column('second_case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('siblings', 'co_victims', 'same_operation', name='linkkind', native_enum=False, length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('first_case_id < second_case_id', name=op.f('ck_case_links_ordered_pair')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['first_case_id'], ['cases.id'], name=op.f('fk_case_links_first_case_id_cases')),
    sa.ForeignKeyConstraint(['second_case_id'], ['cases.id'], name=op.f('fk_case_links_second_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('first_case_id', 'second_case_id', name=op.f('uq_case_links_first_case_id'))
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_first_case_id'), ['first_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_second_case_id'), ['second_case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('case_links')
    op.drop_table('case_fact_conflicts')
    op.drop_table('case_fact_changes')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('age_assessment_outcome')
        batch_op.drop_column('age_assessment_carried_out_on')
        batch_op.drop_column('age_assessment_requested_on')
        batch_op.drop_column('legal_status')
