"""reply sender verified, the decision's named recorder

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reply_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_verified', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('decision_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorder_user_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_decision_records_recorder_user_id_users'), 'users',
                                    ['recorder_user_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('decision_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_decision_records_recorder_user_id_users'), type_='foreignkey')
        batch_op.drop_column('recorder_user_id')
    with op.batch_alter_table('reply_records', schema=None) as batch_op:
        batch_op.drop_column('sender_verified')
