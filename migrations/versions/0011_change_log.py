"""The change log: every command on a row that is not a workflow record.

Reference data, budgets, holidays, delegations, users, tokens, webhook clients,
subscriptions and deliveries: who changed what, through which channel, and the
changed fields before and after.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:50:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'change_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.Column('model', sa.String(length=40), nullable=False),
        sa.Column('row_key', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('before', JSON, nullable=True),
        sa.Column('after', JSON, nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_change_log_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log')),
    )
    op.create_index(op.f('ix_change_log_actor_id'), 'change_log', ['actor_id'])
    op.create_index(op.f('ix_change_log_agency_id'), 'change_log', ['agency_id'])
    op.create_index(op.f('ix_change_log_created_at'), 'change_log', ['created_at'])
    op.create_index('ix_change_log_model_row', 'change_log', ['model', 'row_key', 'id'])


def downgrade():
    op.drop_table('change_log')
