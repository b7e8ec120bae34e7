"""account_security: enrolment codes for authenticator set-up, and locked accounts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:55:00
"""

from alembic import op
import sqlalchemy as sa
import conference.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('enrolment_code_expires_at', conference.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('locked_at', conference.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('enrolment_code_expires_at')
        batch_op.drop_column('enrolment_code_hash')
