"""Organisation ratings; behaviour feedback per BerAKHLAK value.

The organisation's own rating per period sets which distribution of employee
predicates is expected; an appraisal's review keeps its feedback per core value.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:37:03.400296

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('rating', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rating IN ('Istimewa', 'Baik', 'Butuh Perbaikan', 'Kurang', 'Sangat Kurang')", name=op.f('ck_organisation_ratings_rating')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_organisation_ratings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_organisation_ratings_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_ratings')),
    sa.UniqueConstraint('agency_id', 'year', 'period', name='uq_organisation_ratings_period')
    )
    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('behaviour_feedback', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))



def downgrade():
    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.drop_column('behaviour_feedback')

    op.drop_table('organisation_ratings')
