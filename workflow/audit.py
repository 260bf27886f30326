"""The tamper-evident audit log: writing entries and verifying the chains.

Each record has its own chain (entries 1..n, each holding the previous entry's
hash), anchored on the record by ``audit_seq``/``audit_head``. Per-record
chains need no global lock: the engine already holds the record's row lock
while it appends, so transitions of different records never wait on each other.
An entry's hash is an HMAC under the key its ``key_id`` names
(``workflow.audit_keys``): without the key, a chain cannot be rebuilt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow import audit_keys
from workflow.db import write_rows
from workflow.models.audit import AuditEntry
from workflow.models.changes import ChangeEntry
from workflow.workflows import WORKFLOWS

MAX_REPORTED_PROBLEMS = 100


# One encoder for every digest: json.dumps would build one per call, which a verify of
# millions of entries feels.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _canonical(value) -> str:
    return _ENCODER.encode(value)


def payload_digest(payload: dict | None) -> str | None:
    """SHA-256 of the canonical JSON of a transition's data (None when there is none)."""
    if not payload:
        return None
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


# What every record's entries vouch for, beside its workflow's own ``audited`` fields.
# The times matter too: an appeal window and the deadlines run from ``state_changed_at``.
COMMON_FIELDS = (
    "state",
    "agency_id",
    "created_by_id",
    "reviewed_by_id",
    "created_at",
    "state_changed_at",
)


def record_fields(wf) -> tuple[str, ...]:
    """The columns of ``wf``'s records that its audit entries vouch for (and ``version``)."""
    return (*COMMON_FIELDS, *wf.audited)


def record_digest(values, version: int) -> str:
    """SHA-256 of a record's audited fields (``values``: name -> value) and its version."""
    plain = {k: _timestamp(v) if isinstance(v, datetime) else v for k, v in values.items()}
    return hashlib.sha256(_canonical({**plain, "version": version}).encode()).hexdigest()


def _digest_of(record, wf) -> str:
    # The version the record will have once this step is written: the step's UPDATE
    # (or, for a new record, the UPDATE that anchors its first entry) bumps it by one.
    # Read from the instance's dict where loaded: the same value as the attribute's, without
    # SQLAlchemy's instrumentation, which costs a bulk step's eighteen columns ten times more.
    # What is not loaded there (expired, or not a column) is read through the attribute.
    loaded = record.__dict__
    fields = {
        name: loaded[name] if name in loaded else getattr(record, name)
        for name in record_fields(wf)
    }
    return record_digest(fields, (record.version or 0) + 1)


@lru_cache(maxsize=1024)  # a batch's entries share their time: made once, not per entry
def _timestamp(value: datetime) -> str:
    """``%Y-%m-%dT%H:%M:%S.%fZ`` in UTC (isoformat's C code makes it, for all but tiny years)."""
    value = value.astimezone(UTC)
    if value.year < 1000:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat(timespec="microseconds")[:26] + "Z"


def entry_hash(entry) -> str | None:
    """The HMAC of an entry's contents, its place in the chain, its predecessor and what it
    vouches for of its record, under the key ``entry.key_id`` names; None: a key not held."""
    material = [
        entry.key_id,
        entry.workflow,
        entry.record_id,
        entry.seq,
        entry.trigger,
        entry.from_state,
        entry.to_state,
        entry.actor_id,
        entry.via,
        entry.comment,
        entry.payload_digest,
        _timestamp(entry.created_at),
        entry.prev_hash,
        entry.record_digest,
    ]
    if entry.on_behalf_of_id is not None:
        material.append(["on_behalf_of", entry.on_behalf_of_id])
    return _keyed(entry.key_id, material)


def _keyed(key_id: str | None, material: list) -> str | None:
    """The HMAC-SHA-256 of ``material``'s canonical JSON under the key ``key_id`` names."""
    secret = audit_keys.current().secret(key_id)
    if secret is None:
        return None
    return hmac.digest(secret, _canonical(material).encode(), "sha256").hex()


def change_hash(entry) -> str | None:
    """The HMAC of a change-log entry — its id and contents — under the key ``entry.key_id``
    names; None: a key not held. Change entries are not chained one to another: the id
    under the HMAC keeps an entry from being copied or moved to another, and the
    checkpoints (``workflow.checkpoints``) cover which of them exist."""
    material = [
        entry.key_id,
        entry.id,
        _timestamp(entry.created_at),
        entry.actor_id,
        entry.via,
        entry.model,
        entry.row_key,
        entry.action,
        entry.agency_id,
        entry.before,
        entry.after,
        entry.comment,
    ]
    return _keyed(entry.key_id, material)


UNSIGNED = "-"  # a change entry's hash until its id is known: signed right after its INSERT
_TO_SIGN = "alur_change_entries_to_sign"


def sign_change(entry) -> None:
    """Mark a new change-log entry to be signed, under the current key, once it has its id
    (in the same flush, so it is never committed unsigned)."""
    entry.key_id = audit_keys.current().current_id
    entry.hash = UNSIGNED


@event.listens_for(Session, "after_flush")
def _note_new_change_entries(session, _context):
    new = [o for o in session.new if isinstance(o, ChangeEntry) and o.hash == UNSIGNED]
    if new:
        session.info.setdefault(_TO_SIGN, []).extend(new)


@event.listens_for(Session, "after_flush_postexec")
def _sign_new_change_entries(session, _context):
    entries = session.info.pop(_TO_SIGN, None)
    if not entries:
        return
    signed = [{"entry_id": e.id, "digest": change_hash(e)} for e in entries]
    table = ChangeEntry.__table__
    session.connection().execute(
        table.update().where(table.c.id == bindparam("entry_id")).values(hash=bindparam("digest")),
        signed,
    )
    for entry, row in zip(entries, signed, strict=True):
        set_committed_value(entry, "hash", row["digest"])


def history(session: Session, record) -> list[AuditEntry]:
    """``record``'s audit entries, oldest first: what happened to it, by whom, through what."""
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workflow == record.workflow_name, AuditEntry.record_id == record.id)
        .order_by(AuditEntry.seq)
    ).all()


def append(session: Session, record, **details) -> AuditEntry:
    """Add the next entry of ``record``'s chain and move the record's anchor to it.

    The caller holds the record's row lock (or has just inserted the record).
    ``details`` are those of ``next_entry``.
    """
    entry = AuditEntry(**next_entry(record, **details))
    session.add(entry)
    return entry


def write(session: Session, entries: list[dict]) -> None:
    """Insert entries made by ``next_entry``: a step's in one statement, a batch's by ``COPY``
    on PostgreSQL (``write_rows``)."""
    write_rows(session, AuditEntry.__table__, entries)


def created(session: Session, record, *, actor_id, via: str, comment, payload, now) -> None:
    """The first entry of a record just made (``create``), from nothing to its initial state."""
    append(
        session,
        record,
        trigger="create",
        from_state=None,
        to_state=record.state,
        actor_id=actor_id,
        via=via,
        comment=comment,
        payload=payload,
        now=now,
    )


def next_entry(
    record,
    *,
    trigger: str,
    from_state: str | None,
    to_state: str,
    actor_id: int | None,
    via: str,
    comment: str | None,
    payload: dict | None,
    now: datetime,
    on_behalf_of_id: int | None = None,
) -> dict:
    """The column values of ``record``'s next entry, hash included; moves the anchor to it.

    For writers that insert many entries in one statement (a bulk change).
    """
    values = {
        "key_id": audit_keys.current().current_id,
        "workflow": record.workflow_name,
        "record_id": record.id,
        "seq": record.audit_seq + 1,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "actor_id": actor_id,
        "on_behalf_of_id": on_behalf_of_id,
        "via": via,
        "comment": comment,
        "payload_digest": payload_digest(payload),
        "created_at": now,
        "prev_hash": record.audit_head,
        "record_digest": _digest_of(record, WORKFLOWS[record.workflow_name]),
    }
    values["hash"] = entry_hash(SimpleNamespace(**values))
    record.audit_seq = values["seq"]
    record.audit_head = values["hash"]
    return values
