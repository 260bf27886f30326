"""An index for an agency's employees in id order, in place of (agency_id, unit_id).

An HR officer's list of employees is ``WHERE agency_id = ? ORDER BY id LIMIT ?``.
Without this index PostgreSQL walks the primary key and filters: 240 ms for the
last agency imported among a million employees (about a second at 4.3 million),
0.05 ms with it. The (agency_id, unit_id) index it replaces served no query that
the unit's own index does not.

Built and dropped ``CONCURRENTLY`` on PostgreSQL, so that employees can still be
written meanwhile. A build that fails leaves an invalid index behind: drop it,
then upgrade again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 18:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_employees_agency_page', 'employees', ['agency_id', 'id'], unique=False,
                        postgresql_concurrently=True)
        op.drop_index('ix_employees_agency_unit', table_name='employees',
                      postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_employees_agency_unit', 'employees', ['agency_id', 'unit_id'],
                        unique=False, postgresql_concurrently=True)
        op.drop_index('ix_employees_agency_page', table_name='employees',
                      postgresql_concurrently=True)
