"""A period is one of the periods: annual, Q1..Q4 or M01..M12, checked by the database.

The application's pattern let a period with a trailing newline through (``annual\\n``),
which opened a second appraisal for a year already appraised. Rows with any other
period are reported and the upgrade stops: such a row is a record of what happened and
is put right by hand (with its audit entry), not rewritten here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 00:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PERIODS = ("annual", "Q1", "Q2", "Q3", "Q4", *(f"M{month:02d}" for month in range(1, 13)))
PERIOD_CHECK = "period IN (" + ", ".join(f"'{period}'" for period in PERIODS) + ")"
TABLES = ("appraisals", "organisation_ratings")


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        wrong = connection.execute(
            sa.text(f"SELECT id FROM {table} WHERE NOT ({PERIOD_CHECK}) ORDER BY id LIMIT 20")
        ).scalars().all()
        if wrong:
            raise RuntimeError(
                f"{table} rows with a period that is none of {', '.join(PERIODS)}: "
                f"{', '.join(map(str, wrong))}; correct them (with an audit note) and upgrade again"
            )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_period'), PERIOD_CHECK)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_period'), type_='check')
