"""seats and partner agencies: who added an agency to a case, and the languages a directory person speaks

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-05 13:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_case_agencies_added_by_id_users'), 'users', ['added_by_id'], ['id']
        )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('languages')
    with op.batch_alter_table('case_agencies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_agencies_added_by_id_users'), type_='foreignkey')
        batch_op.drop_column('added_by_id')
