"""plan_runs: plan the week, solved in the background

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 11:30:00
"""

from alembic import op
import sqlalchemy as sa
import conference.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_runs',
    sa.Column('local_authority_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('to_on', sa.Date(), nullable=False),
    sa.Column('move_invited', sa.Boolean(), nullable=False),
    sa.Column('inputs_key', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.JSON(), nullable=False),
    sa.Column('meetings', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='planstatus', native_enum=False,
                                create_constraint=False, length=40), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=False),
    sa.Column('started_at', conference.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', conference.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('greedy', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_runs_created_by_id_users')),
    sa.ForeignKeyConstraint(['local_authority_id'], ['local_authorities.id'],
                            name=op.f('fk_plan_runs_local_authority_id_local_authorities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_runs'))
    )
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_runs_local_authority_id'), ['local_authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_runs_inputs_key'), ['inputs_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_runs_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_runs_status'))
        batch_op.drop_index(batch_op.f('ix_plan_runs_inputs_key'))
        batch_op.drop_index(batch_op.f('ix_plan_runs_local_authority_id'))
    op.drop_table('plan_runs')
