"""An index on outbox_deliveries.event_id, for pruning.

``flask prune`` deletes an event once no delivery refers to it: the check, and
PostgreSQL's own foreign-key check when the event is deleted, look deliveries up
by event. Without the index each of them reads every delivery (tens of millions
after an appraisal season).

Built ``CONCURRENTLY`` on PostgreSQL, so the outbox keeps working meanwhile. A
build that fails leaves an invalid index behind: drop it, then upgrade again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_outbox_deliveries_event_id', 'outbox_deliveries', ['event_id'],
                        unique=False, postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index('ix_outbox_deliveries_event_id', table_name='outbox_deliveries',
                      postgresql_concurrently=True)
