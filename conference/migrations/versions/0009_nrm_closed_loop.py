"""nrm_closed_loop: evidence sent with the referral, decision letters, reconsideration, updates to the SCA

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 11:40:00
"""

from alembic import op
import sqlalchemy as sa
import conference.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nrm_referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_roles', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('referred_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reconsideration_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reconsideration_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reconsideration_drafted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reconsideration_sent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reconsideration_answered_on', sa.Date(), nullable=True))
    op.create_table('nrm_decision_letters',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_nrm_decision_letters_case_id_cases')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_nrm_decision_letters_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nrm_decision_letters')),
    sa.UniqueConstraint('case_id', 'stage', name=op.f('uq_nrm_decision_letters_case_id'))
    )


def downgrade() -> None:
    op.drop_table('nrm_decision_letters')
    with op.batch_alter_table('nrm_referrals', schema=None) as batch_op:
        batch_op.drop_column('reconsideration_answered_on')
        batch_op.drop_column('reconsideration_sent_on')
        batch_op.drop_column('reconsideration_drafted_on')
        batch_op.drop_column('reconsideration_text')
        batch_op.drop_column('reconsideration_status')
        batch_op.drop_column('reported_version')
        batch_op.drop_column('referred_version')
        batch_op.drop_column('evidence_roles')
