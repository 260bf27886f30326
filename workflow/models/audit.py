"""The audit log of every state change, and the outbox of events to deliver."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, only_on, utcnow
from workflow.models.accounts import User
from workflow.models.org import Employee

JSONType = JSON().with_variant(JSONB(), "postgresql")


class AuditEntry(db.Model):
    """One state change of one record, hash-chained to the record's previous entry.

    ``seq`` numbers a record's entries from 1 (its creation); ``prev_hash`` is
    the previous entry's ``hash``, so altering or removing an entry breaks the
    chain that ``flask audit verify`` walks. The hash is an HMAC under the key
    ``key_id`` names, so nobody without it can rebuild a chain.
    """

    __tablename__ = "audit_log"
    # On PostgreSQL a partition per year (workflow.audit_partitions, migration 0020), whose
    # keys must hold the partition's column: there the key does not refuse a doubled seq
    # by itself (its time would differ). The engine gives each seq once, under the record's
    # lock, and audit verify reports a doubled one as a broken chain.
    __table_args__ = (
        only_on("sqlite", UniqueConstraint("workflow", "record_id", "seq")),
        only_on("postgresql", UniqueConstraint("workflow", "record_id", "seq", "created_at")),
        {"postgresql_partition_by": "RANGE (created_at)"},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    seq: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The official (an employee) an acting Plt/Plh took this step for; None otherwise.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    via: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    # The record's audited fields as this step left them (``workflow.audit.record_digest``);
    # None on entries made before the fields were covered.
    record_digest: Mapped[str | None] = mapped_column(String(64))
    # The key the hash is an HMAC under (``workflow.audit_keys.key_id``).
    key_id: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
    on_behalf_of: Mapped[Employee | None] = relationship()


class OutboxEvent(db.Model):
    """An event written in the same transaction as the change it reports.

    ``event_id`` is the stable ``webhook-id`` receivers de-duplicate on.
    ``dispatched_at`` is set once the event has been fanned out to the
    subscriptions that want it (see ``workflow.outbox``).
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_undispatched",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditCheckpoint(db.Model):
    """A signed statement of what the logs held at one moment (``workflow.checkpoints``).

    It covers the audit entries with ``id <= audit_upto`` and the change entries with
    ``id <= change_upto``: their counts per kind, and, for what came since the
    checkpoint before it (its *segment*), a digest per bucket of records
    (``AuditCheckpointBucket``), summed up in ``segment_digest``. Each checkpoint's
    ``digest`` takes in the one before it, so the checkpoints form a chain whose newest
    digest, once published, stands for everything that came before.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    audit_upto: Mapped[int]
    change_upto: Mapped[int]
    counts: Mapped[dict] = mapped_column(JSONType)
    segment_digest: Mapped[str] = mapped_column(String(64))
    prev_digest: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


class AuditCheckpointBucket(db.Model):
    """What one checkpoint's segment holds of one bucket of records (or of change entries).

    ``kind`` is a workflow's name or ``change_log``; ``bucket`` the record id (the change
    entry's id) divided by ``workflow.checkpoints.BUCKET``. ``digest`` is a SHA-256 over
    the segment's entries of the bucket, each as (record, seq, id, hash), in chain order.
    """

    __tablename__ = "audit_checkpoint_buckets"
    # The key serves verify's walk bucket by bucket; the index, a checkpoint's own rows.
    __table_args__ = (Index("ix_audit_checkpoint_buckets_seq", "checkpoint_seq", "kind", "bucket"),)

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_seq: Mapped[int] = mapped_column(primary_key=True)
    entries: Mapped[int]
    chains: Mapped[int]  # of them first entries: chains begun in the segment
    last: Mapped[int]  # the highest record id (change entry id) among them
    digest: Mapped[str] = mapped_column(String(64))


class AuditVerifyRun(db.Model):
    """The outcome of one ``audit verify``, for the dashboard and the auditors."""

    __tablename__ = "audit_verify_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # full, incremental, against
    ok: Mapped[bool]
    entries: Mapped[int]
    records: Mapped[int]
    problem_count: Mapped[int]
    first_problem: Mapped[str | None] = mapped_column(Text)
    checkpoint_seq: Mapped[int | None]
