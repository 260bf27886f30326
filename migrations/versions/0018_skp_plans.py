"""SKP plans (a workflow's records) and their RHK, each main RHK citing the RHK of the
assessor's agreed plan it supports (PermenPANRB 6/2022).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 07:20:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime
from workflow.models.audit import JSONType

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'skp_plans',
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('assessor_id', sa.Integer(), nullable=True),
        sa.Column('expectations', JSONType, nullable=True),
        sa.Column('rhk_digest', sa.String(length=64), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('state_changed_at', UTCDateTime(), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('audit_seq', sa.Integer(), nullable=False),
        sa.Column('audit_head', sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'approved', 'returned', 'withdrawn')",
            name=op.f('ck_skp_plans_state'),
        ),
        sa.CheckConstraint(
            'assessor_id IS NULL OR assessor_id <> employee_id', name=op.f('ck_skp_plans_two_people')
        ),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_skp_plans_year')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_skp_plans_agency_id_agencies')),
        sa.ForeignKeyConstraint(['assessor_id'], ['employees.id'], name=op.f('fk_skp_plans_assessor_id_employees')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_skp_plans_created_by_id_users')),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_skp_plans_employee_id_employees')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_skp_plans_reviewed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_skp_plans')),
    )
    with op.batch_alter_table('skp_plans', schema=None) as batch_op:
        batch_op.create_index('ix_skp_plans_agency_page', ['agency_id', 'id'], unique=False)
        batch_op.create_index('ix_skp_plans_agency_state', ['agency_id', 'state', 'state_changed_at'], unique=False)
        batch_op.create_index('ix_skp_plans_assessor_state', ['assessor_id', 'state', 'state_changed_at'], unique=False)
        batch_op.create_index('ix_skp_plans_employee_state', ['employee_id', 'state'], unique=False)
        batch_op.create_index('ix_skp_plans_state_since', ['state', 'state_changed_at'], unique=False)
        batch_op.create_index(
            'uq_skp_plans_open_year',
            ['employee_id', 'year'],
            unique=True,
            postgresql_where=sa.text("state <> 'withdrawn'"),
            sqlite_where=sa.text("state <> 'withdrawn'"),
        )

    op.create_table(
        'rhk_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('agency_target', sa.Text(), nullable=True),
        sa.Column('indicators', JSONType, nullable=False),
        sa.CheckConstraint(
            "kind = 'utama' OR (parent_id IS NULL AND agency_target IS NULL)",
            name=op.f('ck_rhk_items_additional_cascades_from_nothing'),
        ),
        sa.CheckConstraint("kind IN ('utama', 'tambahan')", name=op.f('ck_rhk_items_kind')),
        sa.CheckConstraint('parent_id IS NULL OR agency_target IS NULL', name=op.f('ck_rhk_items_one_source')),
        sa.ForeignKeyConstraint(['parent_id'], ['rhk_items.id'], name=op.f('fk_rhk_items_parent_id_rhk_items')),
        sa.ForeignKeyConstraint(['plan_id'], ['skp_plans.id'], name=op.f('fk_rhk_items_plan_id_skp_plans')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rhk_items')),
    )
    with op.batch_alter_table('rhk_items', schema=None) as batch_op:
        batch_op.create_index('ix_rhk_items_plan', ['plan_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_rhk_items_parent_id'), ['parent_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rhk_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rhk_items_parent_id'))
        batch_op.drop_index('ix_rhk_items_plan')
    op.drop_table('rhk_items')
    with op.batch_alter_table('skp_plans', schema=None) as batch_op:
        batch_op.drop_index('uq_skp_plans_open_year', sqlite_where=sa.text("state <> 'withdrawn'"), postgresql_where=sa.text("state <> 'withdrawn'"))
        batch_op.drop_index('ix_skp_plans_state_since')
        batch_op.drop_index('ix_skp_plans_employee_state')
        batch_op.drop_index('ix_skp_plans_assessor_state')
        batch_op.drop_index('ix_skp_plans_agency_state')
        batch_op.drop_index('ix_skp_plans_agency_page')
    op.drop_table('skp_plans')
