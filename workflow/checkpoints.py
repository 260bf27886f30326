"""Signed checkpoints: what the audit log and the change log held, published to the outside.

A record's chain shows what was done to the record, but nothing in it knows that
the record existed: whoever deletes a record with its whole chain, or cuts a chain
back and resets the record's fields, leaves chains that verify. A checkpoint closes
that. It covers every audit entry with ``id <= audit_upto`` and every change entry
with ``id <= change_upto``, and says

* how many entries and chains each kind had (``counts``), and
* for what came since the checkpoint before it (its *segment*), bucket by bucket of
  records (``BUCKET`` records each), how many entries there were and a SHA-256 over
  them (``AuditCheckpointBucket``); ``segment_digest`` sums the buckets up.

Its ``digest`` takes in the one before it, so the newest digest stands for every
checkpoint, and so for every entry they cover. It is signed with an Ed25519 key
derived from the audit key (whoever verifies needs only the public half, ``flask
audit public-key``) and published: an ``audit.checkpoint`` outbox event to the
subscribers, and ``flask audit checkpoint --out FILE`` for the archive. Whoever holds
the audit key can sign new checkpoints, but cannot change one a subscriber already
holds: ``flask audit verify --against FILE`` compares the database with it.

The cut-off is taken under a brief SHARE lock of both logs (PostgreSQL): it waits
for the transactions that are writing entries and holds back new ones for the two
``max(id)`` reads, so no entry below the cut-off can be committed after the
checkpoint was taken. SQLite has one writer at a time, and the cut-off is taken
under its write lock.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import audit_keys, notify
from workflow.db import utcnow, write_transaction
from workflow.errors import Conflict
from workflow.models import (
    AuditCheckpoint,
    AuditCheckpointBucket,
    AuditEntry,
    ChangeEntry,
    OutboxEvent,
)
from workflow.workflows import WORKFLOWS

BUCKET = 10_000  # records (change entries) per bucket: how closely a finding is placed
CHANGE_LOG = "change_log"
EVENT_TYPE = "audit.checkpoint"
STREAM = 5000
MAX_PUBLISHED = 1_000_000  # characters: a published checkpoint is a few hundred


class LogShrank(Conflict):
    """The logs end before what the newest checkpoint covered: entries were removed."""


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def audit_leaf(record_id: int, seq: int, entry_id: int, entry_hash: str) -> bytes:
    """An audit entry as a bucket's digest takes it in: its place, id and hash, one line."""
    return f"{record_id} {seq} {entry_id} {entry_hash}\n".encode()


def change_leaf(entry_id: int, entry_hash: str) -> bytes:
    """A change entry as a bucket's digest takes it in."""
    return f"{entry_id} {entry_hash}\n".encode()


@dataclass
class BucketDigest:
    """The running count and SHA-256 of one bucket's entries in one segment."""

    entries: int = 0
    chains: int = 0
    last: int = 0
    hasher: object = field(default_factory=hashlib.sha256)

    def add(self, leaf: bytes, first: bool, key: int) -> None:
        self.entries += 1
        self.chains += first
        self.last = max(self.last, key)
        self.hasher.update(leaf)

    def result(self) -> tuple[int, int, str]:
        return self.entries, self.chains, self.hasher.hexdigest()


def segment_digest(rows: Iterable) -> str:
    """SHA-256 over a segment's bucket rows (kind, bucket, entries, chains, last, digest)."""
    hasher = hashlib.sha256()
    for row in rows:
        hasher.update(
            _canonical([row.kind, row.bucket, row.entries, row.chains, row.last, row.digest])
        )
        hasher.update(b"\n")
    return hasher.hexdigest()


BODY = (
    "seq",
    "created_at",
    "audit_upto",
    "change_upto",
    "counts",
    "segment_digest",
    "prev_digest",
    "key_id",
)


def body(cp) -> dict:
    """What a checkpoint's ``digest`` is the SHA-256 of (its canonical JSON)."""
    values = {name: getattr(cp, name) for name in BODY}
    return {**values, "created_at": _iso(cp.created_at)}


def digest_of(cp) -> str:
    return hashlib.sha256(_canonical(body(cp))).hexdigest()


def published(cp) -> dict:
    """The checkpoint as it is published: its body, digest, signature and public key."""
    return {
        **body(cp),
        "digest": cp.digest,
        "signature": cp.signature,
        "public_key": audit_keys.current().public_key(cp.key_id),
    }


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def newest(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))


def _cutoff(session: Session) -> tuple[int, int]:
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            # Bounded by the connection's lock_timeout (``workflow.db.Timeouts``).
            session.execute(text("LOCK TABLE audit_log, change_log IN SHARE MODE"))
        audit_upto = session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
        change_upto = session.scalar(select(func.coalesce(func.max(ChangeEntry.id), 0)))
    return audit_upto, change_upto


def segment_buckets(
    session: Session, audit_range: tuple[int, int], change_range: tuple[int, int]
) -> list[dict]:
    """The bucket rows of the entries with ids in ``(after, upto]`` of each range."""
    found: dict[tuple[str, int], BucketDigest] = {}
    (audit_after, audit_upto), (change_after, change_upto) = audit_range, change_range
    entries = session.execute(
        select(
            AuditEntry.workflow,
            AuditEntry.record_id,
            AuditEntry.seq,
            AuditEntry.id,
            AuditEntry.hash,
        )
        .where(AuditEntry.id > audit_after, AuditEntry.id <= audit_upto)
        .order_by(AuditEntry.workflow, AuditEntry.record_id, AuditEntry.seq)
        .execution_options(yield_per=STREAM)
    )
    for kind, record_id, seq, entry_id, entry_hash in entries:
        bucket = found.setdefault((kind, record_id // BUCKET), BucketDigest())
        bucket.add(audit_leaf(record_id, seq, entry_id, entry_hash), seq == 1, record_id)
    changes = session.execute(
        select(ChangeEntry.id, ChangeEntry.hash)
        .where(ChangeEntry.id > change_after, ChangeEntry.id <= change_upto)
        .order_by(ChangeEntry.id)
        .execution_options(yield_per=STREAM)
    )
    for entry_id, entry_hash in changes:
        bucket = found.setdefault((CHANGE_LOG, entry_id // BUCKET), BucketDigest())
        bucket.add(change_leaf(entry_id, entry_hash), False, entry_id)
    rows = []
    for (kind, number), bucket in sorted(found.items()):
        entries_, chains, digest = bucket.result()
        rows.append(
            {
                "kind": kind,
                "bucket": number,
                "entries": entries_,
                "chains": chains,
                "last": bucket.last,
                "digest": digest,
            }
        )
    return rows


def zero_counts() -> dict:
    return {
        "audit": {name: {"entries": 0, "chains": 0} for name in WORKFLOWS},
        CHANGE_LOG: {"entries": 0},
    }


def add_counts(counts: dict, rows: Iterable) -> dict:
    """``counts`` with a segment's bucket rows added to them."""
    result = json.loads(json.dumps(counts))
    for name in WORKFLOWS:
        result["audit"].setdefault(name, {"entries": 0, "chains": 0})
    for row in rows:
        kind = row["kind"] if isinstance(row, dict) else row.kind
        entries = row["entries"] if isinstance(row, dict) else row.entries
        chains = row["chains"] if isinstance(row, dict) else row.chains
        if kind == CHANGE_LOG:
            result[CHANGE_LOG]["entries"] += entries
        else:
            kept = result["audit"].setdefault(kind, {"entries": 0, "chains": 0})
            kept["entries"] += entries
            kept["chains"] += chains
    return result


def create(session: Session, archive: Path | str | None = None) -> tuple[AuditCheckpoint, bool]:
    """Write the next checkpoint and its outbox event; ``(checkpoint, True)``; and, given an
    ``archive`` directory, its published JSON there (``archive_checkpoint``).

    When nothing was logged since the newest checkpoint, write nothing and return
    ``(newest, False)``. ``Conflict`` if another checkpoint was written meanwhile, or
    if the logs hold fewer entries than the newest checkpoint covered (run verify).
    A checkpoint that cannot be written (``LogShrank``, ``ArchiveError``) is told to the
    admins, once a day for each problem, before it is raised.
    """
    try:
        return _create(session, archive)
    except (LogShrank, ArchiveError) as exc:
        session.rollback()
        tell_failure(session, str(exc))
        raise


def tell_failure(session: Session, problem: str, verify_run: int | None = None) -> None:
    """Tell the admins, in a transaction of its own, that the audit log failed a check: a
    checkpoint that cannot be written, or (``verify_run``) a verify that found problems."""
    if verify_run is not None:
        cause = f"audit-verify-{verify_run}"
    else:
        key = hashlib.sha256(problem.encode()).hexdigest()[:16]
        cause = f"audit-checkpoint-{key}-{utcnow().date().isoformat()}"
    with write_transaction(session):
        notify.tell_admins(
            session,
            "audit_failed",
            cause,
            about=("verify" if verify_run is not None else "checkpoint", verify_run, None),
        )


def _create(session: Session, archive: Path | str | None) -> tuple[AuditCheckpoint, bool]:
    ring = audit_keys.current()
    audit_upto, change_upto = _cutoff(session)
    prev = newest(session)
    if prev is not None:
        if audit_upto < prev.audit_upto or change_upto < prev.change_upto:
            raise LogShrank(
                f"the logs end before what checkpoint {prev.seq} covered (audit entry "
                f"{audit_upto} of {prev.audit_upto}, change entry {change_upto} of "
                f"{prev.change_upto}): entries were removed; run 'flask audit verify'"
            )
        if (audit_upto, change_upto) == (prev.audit_upto, prev.change_upto):
            session.rollback()
            return prev, False
    after = (prev.audit_upto, prev.change_upto) if prev is not None else (0, 0)
    rows = segment_buckets(session, (after[0], audit_upto), (after[1], change_upto))
    cp = AuditCheckpoint(
        seq=(prev.seq + 1) if prev is not None else 1,
        created_at=utcnow(),
        audit_upto=audit_upto,
        change_upto=change_upto,
        counts=add_counts(prev.counts if prev is not None else zero_counts(), rows),
        segment_digest=segment_digest(SimpleNamespace(**r) for r in rows),
        prev_digest=prev.digest if prev is not None else None,
        key_id=ring.current_id,
    )
    cp.digest = digest_of(cp)
    cp.signature = ring.signing_key().sign(cp.digest.encode()).hex()
    session.rollback()  # the reads' transaction: the write begins afresh
    try:
        with write_transaction(session):
            session.add(cp)
            if rows:
                session.execute(
                    insert(AuditCheckpointBucket), [{**r, "checkpoint_seq": cp.seq} for r in rows]
                )
            session.add(
                OutboxEvent(
                    event_id=f"evt_{uuid.uuid4().hex}",
                    type=EVENT_TYPE,
                    created_at=cp.created_at,
                    payload=published(cp),
                )
            )
    except IntegrityError:
        raise Conflict("another checkpoint was written at the same time; try again") from None
    if archive:
        archive_checkpoint(cp, archive)
    return cp, True


class ArchiveError(Conflict):
    """The archive of published checkpoints cannot be written, or holds another one."""


def _archived_name(seq: int) -> str:
    return f"checkpoint-{seq:09d}.json"


def archive_checkpoint(cp: AuditCheckpoint, directory: Path | str) -> Path:
    """Write ``cp`` as published into ``directory`` (atomically, never over another one).

    The archive is where the database's writers cannot reach (another host, a
    write-once bucket): ``verify`` holds the database to the newest checkpoint there.
    """
    directory = Path(directory)
    text_ = json.dumps(published(cp), indent=2, ensure_ascii=False) + "\n"
    path = directory / _archived_name(cp.seq)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if path.exists():
            held = load_published(path.read_text(encoding="utf-8-sig"))
            if held.get("digest") != cp.digest:
                raise ArchiveError(
                    f"the archive holds another checkpoint {cp.seq} ({path}): the log was "
                    "rewritten after it was published; run 'flask audit verify'"
                )
            return path
        partial = path.with_suffix(".partial")
        partial.write_text(text_, encoding="utf-8")
        partial.replace(path)
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"the checkpoint archive {directory}: {exc}") from None
    return path


def due(session: Session, every_minutes: float) -> bool:
    """Whether the newest checkpoint is older than ``every_minutes`` (or there is none)."""
    created = session.scalar(select(func.max(AuditCheckpoint.created_at)))
    session.rollback()
    if created is None:
        return True
    return (utcnow() - created).total_seconds() >= every_minutes * 60


def load_published(text_: str) -> dict:
    """A published checkpoint from its JSON; ValueError if it is not one."""
    if len(text_) > MAX_PUBLISHED:
        raise ValueError(f"too long for a checkpoint ({len(text_):,} characters)")
    try:
        value = json.loads(text_)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if isinstance(value, dict) and isinstance(value.get("data"), dict):
        value = value["data"]  # the outbox event as a subscriber received it
    need = {"seq": int, "digest": str, "signature": str, "key_id": str}
    if not isinstance(value, dict) or any(not isinstance(value.get(k), t) for k, t in need.items()):
        raise ValueError("not a published checkpoint: it needs seq, digest, signature and key_id")
    try:
        _canonical(value)
    except UnicodeEncodeError:
        raise ValueError("not a published checkpoint: it holds text that is no Unicode") from None
    return value
