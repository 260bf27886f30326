"""Audit entries keyed, and vouching for their record's fields.

Adds ``audit_log.key_id`` and ``audit_log.record_digest`` and re-anchors every
chain under the first key (``AUDIT_KEY``: ``ALUR_AUDIT_KEY`` from the
environment, read as the app reads it). Every chain is verified first with the
unkeyed SHA-256 it was made with: a broken chain stops the upgrade, so tampering
done before it cannot be laundered into a chain that verifies. Each chain's last
entry then vouches for its record's audited fields as they are now; earlier
entries vouch for none (what they were is not known). Each record's anchor
(``audit_head``) moves to its chain's new last hash. Downgrading verifies the
keyed chains and writes the unkeyed hashes back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:20:00

"""
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

RECORDS = {
    'training_nomination': 'training_nominations',
    'mentoring_assignment': 'mentoring_assignments',
    'appraisal': 'appraisals',
}
FIELDS = ('trigger', 'from_state', 'to_state', 'actor_id', 'via', 'comment', 'payload_digest')
# The fields each record's entries vouch for at this revision (workflow.audit.record_fields).
COMMON = ('state', 'agency_id', 'created_by_id', 'reviewed_by_id', 'created_at',
          'state_changed_at')
AUDITED = {
    'training_nominations': ('employee_id', 'program_id', 'justification', 'committed_cost',
                             'budget_year'),
    'mentoring_assignments': ('mentor_id', 'mentee_id', 'goals', 'start_date', 'end_date', 'jp',
                              'coaching_feedback', 'competency_score'),
    'appraisals': ('employee_id', 'year', 'period', 'assessor_id', 'approver_id',
                   'self_assessment', 'work_result_rating', 'behaviour_rating', 'feedback',
                   'behaviour_feedback', 'predicate', 'predicate_rule'),
}
BATCH = 5000


def _setting(name: str, default=None):
    try:
        from flask import current_app

        return current_app.config.get(name, default)
    except (ImportError, RuntimeError):
        return os.environ.get(f'ALUR_{name}', default)  # plain ``alembic``: no defaults


def _key() -> str:
    key = _setting('AUDIT_KEY')
    if not key:
        raise RuntimeError('ALUR_AUDIT_KEY must be set to re-anchor the audit log')
    return key.strip()


def _ring() -> dict[str, str]:
    """Every key an entry may name, by id: the current one and ALUR_AUDIT_OLD_KEYS."""
    old = _setting('AUDIT_OLD_KEYS') or []
    if isinstance(old, str):
        old = json.loads(old) if old.strip().startswith('[') else old.replace(',', ' ').split()
    return {_key_id(k.strip()): k.strip() for k in [*old, _key()]}


def _key_id(key: str) -> str:
    return hashlib.sha256(b'alur-audit-key-id\0' + key.encode()).hexdigest()[:12]


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False,
                      default=str).encode()


def _stamp(value) -> str:
    return value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _material(row, prev_hash, key_id, record_digest):
    stamp = _stamp(row.created_at)
    material = [row.workflow, row.record_id, row.seq, *(getattr(row, f) for f in FIELDS),
                stamp, prev_hash]
    if key_id is not None:  # keyed entries: the key's id first, the record's digest last
        material = [key_id, *material, record_digest]
    if row.on_behalf_of_id is not None:
        material.append(['on_behalf_of', row.on_behalf_of_id])
    return _canonical(material)


def _plain(row, prev_hash, record_digest=None):
    return hashlib.sha256(_material(row, prev_hash, None, None)).hexdigest()


def _keyed(key, key_id):
    return lambda row, prev_hash, record_digest: hmac.new(
        key.encode(), _material(row, prev_hash, key_id, record_digest), hashlib.sha256
    ).hexdigest()


def _as_made(ring):
    """The keyed hash of an entry under the key it names (None: a key not held)."""
    def made(row, prev_hash, record_digest):
        key = ring.get(row.key_id)
        return _keyed(key, row.key_id)(row, prev_hash, record_digest) if key else None
    return made


def _record_digest(record, table) -> str:
    values = {name: getattr(record, name) for name in (*COMMON, *AUDITED[table])}
    values = {k: _stamp(v) if isinstance(v, datetime) else v for k, v in values.items()}
    return hashlib.sha256(_canonical({**values, 'version': record.version})).hexdigest()


def _log():
    return sa.table(
        'audit_log', sa.column('id', sa.Integer), sa.column('workflow', sa.String),
        sa.column('record_id', sa.Integer), sa.column('seq', sa.Integer),
        *(sa.column(f, sa.String) for f in FIELDS if f != 'actor_id'),
        sa.column('actor_id', sa.Integer), sa.column('on_behalf_of_id', sa.Integer),
        sa.column('created_at', UTCDateTime), sa.column('prev_hash', sa.String),
        sa.column('hash', sa.String), sa.column('key_id', sa.String),
        sa.column('record_digest', sa.String),
    )


def _records(table):
    columns = [sa.column(c, sa.JSON if c == 'behaviour_feedback' else UTCDateTime
                         if c.endswith('_at') else sa.Date
                         if c.endswith('_date') else sa.String if c in (
                             'state', 'justification', 'goals', 'coaching_feedback', 'period',
                             'self_assessment', 'work_result_rating', 'behaviour_rating',
                             'feedback', 'predicate', 'predicate_rule') else sa.Integer)
               for c in (*COMMON, *AUDITED[table])]
    return sa.table(table, sa.column('id', sa.Integer), sa.column('version', sa.Integer),
                    sa.column('audit_seq', sa.Integer), sa.column('audit_head', sa.String),
                    *columns)


def _walk(old_hash, new_hash, new_key_id, *, write: bool, vouch: bool = False) -> list[str]:
    """Check every chain with ``old_hash`` (and, if ``write``, write it anew with
    ``new_hash``); return what does not verify. A window of records at a time, so
    memory stays flat however long the log."""
    conn = op.get_bind()
    log = _log()
    update = log.update().where(log.c.id == sa.bindparam('entry_id')).values(
        prev_hash=sa.bindparam('new_prev'), hash=sa.bindparam('new_hash'),
        key_id=sa.bindparam('new_key'), record_digest=sa.bindparam('new_digest'))
    broken = []
    for workflow, table in RECORDS.items():
        records = _records(table)
        anchor = records.update().where(records.c.id == sa.bindparam('record_id')).values(
            audit_head=sa.bindparam('new_head'))
        after = 0
        while True:
            window = conn.execute(sa.select(records).where(records.c.id > after)
                                  .order_by(records.c.id).limit(BATCH)).all()
            if not window:
                break
            first, after = window[0].id, window[-1].id
            chains = {}
            for row in conn.execute(sa.select(log).where(
                    log.c.workflow == workflow, log.c.record_id.between(first, after))
                    .order_by(log.c.record_id, log.c.seq)):
                chains.setdefault(row.record_id, []).append(row)
            entries, heads = [], []
            for record in window:
                old_prev = new_prev = None
                chain = chains.pop(record.id, [])
                for seq, row in enumerate(chain, 1):
                    if (row.seq != seq or row.prev_hash != old_prev
                            or old_hash(row, old_prev, row.record_digest) != row.hash):
                        broken.append(f'{workflow} #{record.id} entry {row.id} (seq {row.seq})')
                    # the last entry vouches for the record as it is now
                    digest = _record_digest(record, table) if vouch and seq == len(chain) else None
                    new = new_hash(row, new_prev, digest) if write else None
                    entries.append({'entry_id': row.id, 'new_prev': new_prev, 'new_hash': new,
                                    'new_key': new_key_id, 'new_digest': digest})
                    old_prev, new_prev = row.hash, new
                if (len(chain), old_prev) != (record.audit_seq, record.audit_head):
                    broken.append(f'{workflow} #{record.id}: its anchor')
                elif chain and chain[-1].record_digest not in (None, _record_digest(record, table)):
                    broken.append(f'{workflow} #{record.id}: its fields')
                if chain:
                    heads.append({'record_id': record.id, 'new_head': new_prev})
            broken += [f'{workflow} #{rid}: entries of no record' for rid in chains]
            if write:
                if entries:
                    conn.execute(update, entries)
                if heads:
                    conn.execute(anchor, heads)
        orphans = conn.execute(sa.select(sa.func.count()).select_from(log).where(
            log.c.workflow == workflow, log.c.record_id.not_in(sa.select(records.c.id)))).scalar()
        if orphans:
            broken.append(f'{workflow}: {orphans} entries of records that do not exist')
    return broken


def _rechain(old_hash, new_hash, new_key_id, *, vouch: bool):
    """Verify every chain as it was made, and only then write them all anew."""
    broken = _walk(old_hash, new_hash, new_key_id, write=False)
    if broken:
        raise RuntimeError(
            'the audit log does not verify, so it is not re-anchored (that would hide what '
            f'was done): {", ".join(broken[:20])}{" …" if len(broken) > 20 else ""}'
        )
    _walk(old_hash, new_hash, new_key_id, write=True, vouch=vouch)


def upgrade():
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('record_digest', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    key = _key()
    _rechain(_plain, _keyed(key, _key_id(key)), _key_id(key), vouch=True)
    with op.batch_alter_table('audit_log') as batch:
        batch.alter_column('key_id', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    # Unkeyed chains can be rebuilt by anyone with the database: going back is a choice.
    if str(_setting('AUDIT_ALLOW_DOWNGRADE', '')).lower() not in ('1', 'true', 'yes'):
        raise RuntimeError(
            'downgrading below 0013 takes the key off the audit log, so that anyone who can '
            'write to the database could rewrite it; set ALUR_AUDIT_ALLOW_DOWNGRADE=true to do '
            'it anyway'
        )
    with op.batch_alter_table('audit_log') as batch:
        batch.alter_column('key_id', existing_type=sa.String(length=16), nullable=True)
    _rechain(_as_made(_ring()), _plain, None, vouch=False)
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('key_id')
        batch.drop_column('record_digest')
