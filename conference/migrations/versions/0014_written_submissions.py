"""written submissions and their files, sent through personal links

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-05 14:00:00
"""

from alembic import op
import sqlalchemy as sa
import conference.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('written_submissions',
    sa.Column('conference_id', sa.Uuid(), nullable=False),
    sa.Column('attendee_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('link_token_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', conference.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_written_submissions_attendee_id_attendees')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_written_submissions_conference_id_conferences')),
    sa.ForeignKeyConstraint(['link_id'], ['invitation_links.id'], name=op.f('fk_written_submissions_link_id_invitation_links')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_written_submissions_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_submissions'))
    )
    with op.batch_alter_table('written_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_written_submissions_attendee_id'), ['attendee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_written_submissions_conference_id'), ['conference_id'], unique=False)

    op.create_table('submission_files',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['written_submissions.id'], name=op.f('fk_submission_files_submission_id_written_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_files'))
    )
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_files_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_files_submission_id'))
    op.drop_table('submission_files')
    with op.batch_alter_table('written_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_written_submissions_conference_id'))
        batch_op.drop_index(batch_op.f('ix_written_submissions_attendee_id'))
    op.drop_table('written_submissions')
