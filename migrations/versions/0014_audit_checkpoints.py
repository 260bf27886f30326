"""Audit checkpoints, verify runs, and keyed change-log entries.

Creates ``audit_checkpoints`` (the signed chain of what the logs held) with
``audit_checkpoint_buckets`` (what each one's segment held, bucket by bucket), and
``audit_verify_runs`` (each ``audit verify``'s outcome), and gives every
``change_log`` entry a key id and an HMAC of its id and contents under the current
audit key (``ALUR_AUDIT_KEY``, read as the app reads it), as
``workflow.audit.change_hash`` makes them at this revision. Entries made before
this revision vouch for what they hold now: nothing tells what they held before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:10:00

"""
import hashlib
import hmac
import json
import os
from datetime import UTC

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from workflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
BATCH = 5000


def _key() -> str:
    try:
        from flask import current_app

        key = current_app.config.get('AUDIT_KEY')
    except (ImportError, RuntimeError):
        key = os.environ.get('ALUR_AUDIT_KEY')  # plain ``alembic``: no defaults
    if not key:
        raise RuntimeError('ALUR_AUDIT_KEY must be set to sign the change log')
    return key.strip()


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False,
                      default=str).encode()


def _hash(key: str, key_id: str, row) -> str:
    material = [key_id, row.id,
                row.created_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                row.actor_id, row.via, row.model, row.row_key, row.action, row.agency_id,
                row.before, row.after, row.comment]
    return hmac.new(key.encode(), _canonical(material), hashlib.sha256).hexdigest()


def upgrade():
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('audit_upto', sa.Integer(), nullable=False),
        sa.Column('change_upto', sa.Integer(), nullable=False),
        sa.Column('counts', JSON, nullable=False),
        sa.Column('segment_digest', sa.String(length=64), nullable=False),
        sa.Column('prev_digest', sa.String(length=64), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
        sa.UniqueConstraint('seq', name=op.f('uq_audit_checkpoints_seq')),
        sa.UniqueConstraint('digest', name=op.f('uq_audit_checkpoints_digest')),
    )
    op.create_table(
        'audit_checkpoint_buckets',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('checkpoint_seq', sa.Integer(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('chains', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'bucket', 'checkpoint_seq',
                                name=op.f('pk_audit_checkpoint_buckets')),
    )
    op.create_index('ix_audit_checkpoint_buckets_seq', 'audit_checkpoint_buckets',
                    ['checkpoint_seq', 'kind', 'bucket'], unique=False)
    op.create_table(
        'audit_verify_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('first_problem', sa.Text(), nullable=True),
        sa.Column('checkpoint_seq', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verify_runs')),
    )
    op.create_index(op.f('ix_audit_verify_runs_finished_at'), 'audit_verify_runs',
                    ['finished_at'], unique=False)
    with op.batch_alter_table('change_log') as batch:
        batch.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    key = _key()
    key_id = hashlib.sha256(b'alur-audit-key-id\0' + key.encode()).hexdigest()[:12]
    bind = op.get_bind()
    log = sa.table('change_log', sa.column('id', sa.Integer), sa.column('created_at', UTCDateTime),
                   sa.column('actor_id', sa.Integer), sa.column('via', sa.String),
                   sa.column('model', sa.String), sa.column('row_key', sa.String),
                   sa.column('action', sa.String), sa.column('agency_id', sa.Integer),
                   sa.column('before', JSON), sa.column('after', JSON),
                   sa.column('comment', sa.Text), sa.column('key_id', sa.String),
                   sa.column('hash', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(log).where(log.c.id > last).order_by(log.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        bind.execute(
            log.update().where(log.c.id == sa.bindparam('row_id'))
            .values(key_id=sa.bindparam('kid'), hash=sa.bindparam('digest')),
            [{'row_id': r.id, 'kid': key_id, 'digest': _hash(key, key_id, r)} for r in rows],
        )
        last = rows[-1].id
    with op.batch_alter_table('change_log') as batch:
        batch.alter_column('key_id', existing_type=sa.String(length=16), nullable=False)
        batch.alter_column('hash', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('change_log') as batch:
        batch.drop_column('hash')
        batch.drop_column('key_id')
    op.drop_index(op.f('ix_audit_verify_runs_finished_at'), table_name='audit_verify_runs')
    op.drop_table('audit_verify_runs')
    op.drop_index('ix_audit_checkpoint_buckets_seq', table_name='audit_checkpoint_buckets')
    op.drop_table('audit_checkpoint_buckets')
    op.drop_table('audit_checkpoints')
