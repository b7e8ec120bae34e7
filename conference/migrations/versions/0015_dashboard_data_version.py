"""dashboard_data_version: one row whose token changes in the same transaction as any change the dashboard shows

The dashboard caches its rendered panels per scope in each process (conference/dashboard/cache.py) and reuses them
only while this token is unchanged. Triggers on the tables the panels read replace the token with a new random one
(once per transaction that changes them), so the change and the new token commit, or roll back, together, whichever
process or connection made the change.

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-05 13:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: The tables the dashboard's panels read. A panel that reads another table adds it here (in a new migration
#: that calls ``add_triggers`` with that table) so that a change to it shows on the next dashboard load.
TABLES = (
    'cases',
    'case_agencies',
    'conferences',
    'conference_roles',
    'attendees',
    'agencies',
    'people',
    'decision_records',
    'decision_attendance',
    'decision_actions',
    'nrm_referrals',
    'safety_checks',
    'missing_episodes',
    'case_fact_changes',
)
#: Only these columns of a table matter to the dashboard, so other updates leave the token alone: a chair's
#: autosave updates a decision record many times a minute, and the dashboard reads only whether it is signed.
ONLY_COLUMNS = {'decision_records': ('signed_version', 'conference_id')}
FUNCTION = """
CREATE OR REPLACE FUNCTION dashboard_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction, and again after this transaction read the token (conference/dashboard/cache.py
    -- notes the token it read in convene.dashboard_read): updating the one row after every statement of a long
    -- transaction (the demo's history: thousands of inserts) costs time growing with the square of their number,
    -- as each update walks the row's versions made by the same transaction.
    IF current_setting('convene.dashboard_changed', true) IS DISTINCT FROM txid_current()::text
       OR current_setting('convene.dashboard_read', true) = (SELECT token FROM dashboard_data_version WHERE id = 1)
    THEN
        UPDATE dashboard_data_version SET token = gen_random_uuid()::text, changed_at = now() WHERE id = 1;
        PERFORM set_config('convene.dashboard_changed', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$
"""


def add_triggers(table: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        columns = ONLY_COLUMNS.get(table)
        update = f"UPDATE OF {', '.join(columns)}" if columns else 'UPDATE'
        op.execute(
            f'CREATE TRIGGER dashboard_data_changed AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON "{table}" '
            'FOR EACH STATEMENT EXECUTE FUNCTION dashboard_data_changed()'
        )
        return
    for event in ('INSERT', 'UPDATE', 'DELETE'):
        columns = ONLY_COLUMNS.get(table)
        when = f"UPDATE OF {', '.join(columns)}" if columns and event == 'UPDATE' else event
        op.execute(
            f'CREATE TRIGGER dashboard_data_changed_{table}_{event.lower()} AFTER {when} ON "{table}" '
            "BEGIN UPDATE dashboard_data_version SET token = lower(hex(randomblob(16))), "
            "changed_at = CURRENT_TIMESTAMP; END"
        )


def drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP TRIGGER IF EXISTS dashboard_data_changed ON "{table}"')
        return
    for event in ('insert', 'update', 'delete'):
        op.execute(f'DROP TRIGGER IF EXISTS dashboard_data_changed_{table}_{event}')


def upgrade() -> None:
    op.create_table(
        'dashboard_data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint('id = 1', name='ck_dashboard_data_version_one_row'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_data_version')),
    )
    op.execute("INSERT INTO dashboard_data_version (id, token) VALUES (1, 'initial')")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
    for table in TABLES:
        add_triggers(table)


def downgrade() -> None:
    for table in TABLES:
        drop_triggers(table)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS dashboard_data_changed()')
    op.drop_table('dashboard_data_version')
