"""Performance periods: an agency's year, quarter or month with its deadlines for plans,
realisation and evaluation (PermenPANRB 6/2022), and when it was opened.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 03:10:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'performance_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('plans_due_on', sa.Date(), nullable=False),
        sa.Column('realisation_due_on', sa.Date(), nullable=False),
        sa.Column('evaluation_due_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('opened_at', UTCDateTime(), nullable=True),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('annual', 'quarterly', 'monthly')", name=op.f('ck_performance_periods_kind')),
        sa.CheckConstraint(
            "(kind = 'annual' AND number = 1) OR (kind = 'quarterly' AND number BETWEEN 1 AND 4)"
            " OR (kind = 'monthly' AND number BETWEEN 1 AND 12)",
            name=op.f('ck_performance_periods_number'),
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f('ck_performance_periods_year')),
        sa.CheckConstraint(
            "starts_on <= plans_due_on AND plans_due_on <= ends_on "
            "AND ends_on <= realisation_due_on AND realisation_due_on <= evaluation_due_on",
            name=op.f('ck_performance_periods_dates_ordered'),
        ),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_performance_periods_agency_id_agencies')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_performance_periods_created_by_id_users')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_performance_periods_opened_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_periods')),
        sa.UniqueConstraint('agency_id', 'year', 'kind', 'number', name='uq_performance_periods'),
    )
    with op.batch_alter_table('performance_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_periods_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('performance_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_periods_agency_id'))
    op.drop_table('performance_periods')
