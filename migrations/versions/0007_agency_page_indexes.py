"""An index per workflow table for an agency's records in id order.

An HR officer's list is ``WHERE agency_id = ? ORDER BY id LIMIT ?`` (keyset
pages). Without this index PostgreSQL walks the primary key and filters, which
costs more the more agencies there are: 7 ms for an agency of 7,000 employees
among 4.3 million, against 0.1 ms with it.

Built ``CONCURRENTLY`` on PostgreSQL, outside the migration's transaction, so
that records can still be written while a large table is indexed. A build that
fails there leaves an invalid index behind: drop it, then upgrade again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 07:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ('appraisals', 'mentoring_assignments', 'training_nominations')


def upgrade():
    with op.get_context().autocommit_block():
        for table in TABLES:
            op.create_index(f'ix_{table}_agency_page', table, ['agency_id', 'id'], unique=False,
                            postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        for table in TABLES:
            op.drop_index(f'ix_{table}_agency_page', table_name=table,
                          postgresql_concurrently=True)
