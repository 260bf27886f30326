"""An agreed plan through its year: realisations per RHK and period, their evidence (files
kept by SHA-256, or links), and the assessor's continuous feedback (PermenPANRB 6/2022).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 07:40:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

PERIOD_CHECK = (
    "period IN ('annual', 'Q1', 'Q2', 'Q3', 'Q4', 'M01', 'M02', 'M03', 'M04', 'M05', 'M06', "
    "'M07', 'M08', 'M09', 'M10', 'M11', 'M12')"
)


def upgrade():
    op.create_table(
        'plan_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('rhk_id', sa.Integer(), nullable=True),
        sa.Column('core_value', sa.String(length=32), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('(rhk_id IS NULL) <> (core_value IS NULL)', name=op.f('ck_plan_feedback_on_an_rhk_or_a_value')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_plan_feedback_agency_id_agencies')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_plan_feedback_author_id_users')),
        sa.ForeignKeyConstraint(['plan_id'], ['skp_plans.id'], name=op.f('fk_plan_feedback_plan_id_skp_plans')),
        sa.ForeignKeyConstraint(['rhk_id'], ['rhk_items.id'], name=op.f('fk_plan_feedback_rhk_id_rhk_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_feedback')),
    )
    with op.batch_alter_table('plan_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_plan_feedback_plan', ['plan_id', 'given_on'], unique=False)

    op.create_table(
        'realisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('rhk_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('narrative', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(PERIOD_CHECK, name=op.f('ck_realisations_period')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_realisations_agency_id_agencies')),
        sa.ForeignKeyConstraint(['plan_id'], ['skp_plans.id'], name=op.f('fk_realisations_plan_id_skp_plans')),
        sa.ForeignKeyConstraint(['rhk_id'], ['rhk_items.id'], name=op.f('fk_realisations_rhk_id_rhk_items')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_realisations_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_realisations')),
        sa.UniqueConstraint('rhk_id', 'period', name='uq_realisations_rhk_period'),
    )
    with op.batch_alter_table('realisations', schema=None) as batch_op:
        batch_op.create_index('ix_realisations_plan', ['plan_id', 'period'], unique=False)

    op.create_table(
        'evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('realisation_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('content_type', sa.String(length=64), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'file' AND sha256 IS NOT NULL AND url IS NULL) "
            "OR (kind = 'link' AND url IS NOT NULL AND sha256 IS NULL)",
            name=op.f('ck_evidence_file_or_link'),
        ),
        sa.CheckConstraint("kind IN ('file', 'link')", name=op.f('ck_evidence_kind')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_evidence_agency_id_agencies')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_created_by_id_users')),
        sa.ForeignKeyConstraint(['realisation_id'], ['realisations.id'], name=op.f('fk_evidence_realisation_id_realisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_realisation', ['realisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_realisation')
    op.drop_table('evidence')
    with op.batch_alter_table('realisations', schema=None) as batch_op:
        batch_op.drop_index('ix_realisations_plan')
    op.drop_table('realisations')
    with op.batch_alter_table('plan_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_feedback_plan')
    op.drop_table('plan_feedback')
