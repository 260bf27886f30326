"""A trigram index on employees' names (PostgreSQL).

The back office finds a person by any word of their name (``ILIKE '%word%'``),
in the employee list and wherever a form asks for an employee. Without this
index every search that finds few people reads the whole table: 240 ms at one
million employees, about a second at 4.3 million, on every keystroke of a
lookup. ``pg_trgm`` ships with PostgreSQL and may be created by the database's
owner. SQLite has no such index; its searches scan, which suits its sizes.

Built ``CONCURRENTLY``, outside the migration's transaction, so that employees
can still be written meanwhile. A build that fails leaves an invalid index
behind: drop it, then upgrade again. The downgrade leaves the extension, which
other objects of the database may use.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.get_context().autocommit_block():
        op.create_index('ix_employees_name_trgm', 'employees', ['name'], unique=False,
                        postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'},
                        postgresql_concurrently=True)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    with op.get_context().autocommit_block():
        op.drop_index('ix_employees_name_trgm', table_name='employees',
                      postgresql_concurrently=True)
