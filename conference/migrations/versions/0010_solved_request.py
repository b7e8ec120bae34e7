"""solved_request: the scheduler request behind the options, kept on the arrangement (not in process memory)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conference_arrangements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solved_request', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unknown_reasons', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conference_arrangements', schema=None) as batch_op:
        batch_op.drop_column('unknown_reasons')
        batch_op.drop_column('solved_request')
