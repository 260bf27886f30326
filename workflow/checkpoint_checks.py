"""Checking the checkpoints: their chain and signatures, their counts and buckets against the
log as it is now, and a published checkpoint against the database."""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import audit_keys
from workflow.checkpoints import (
    BODY,
    BUCKET,
    CHANGE_LOG,
    STREAM,
    BucketDigest,
    _canonical,
    add_counts,
    digest_of,
    load_published,
    segment_digest,
    tell_failure,
    zero_counts,
)
from workflow.db import utcnow, write_transaction
from workflow.models import (
    AuditCheckpoint,
    AuditCheckpointBucket,
    AuditEntry,
    AuditVerifyRun,
    ChangeEntry,
)
from workflow.workflows import WORKFLOWS


@dataclass
class Book:
    """The checkpoints' cut-offs, in order, and the newest one's counts."""

    seqs: list[int] = field(default_factory=list)
    audit_uptos: list[int] = field(default_factory=list)
    change_uptos: list[int] = field(default_factory=list)
    newest: AuditCheckpoint | None = None

    def uptos(self, kind: str) -> list[int]:
        return self.change_uptos if kind == CHANGE_LOG else self.audit_uptos


def check_signature(cp, where: str, add: Callable[[str], None]) -> None:
    public = audit_keys.current().public_key(cp.key_id)
    if public is None:
        add(
            f"{where}: signed with an unknown key ({cp.key_id!r}): forged, or that key is "
            "missing from ALUR_AUDIT_OLD_KEYS"
        )
    elif not audit_keys.verify_signature(public, cp.signature, cp.digest.encode()):
        add(f"{where}: its signature does not verify: forged or altered")


# What a value planted in a column of the wrong type raises (SQLite keeps any value).
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, LookupError, ArithmeticError)


def _readable(cp) -> bool:
    """Whether a checkpoint row holds values of the types it is made of."""
    ints = (cp.seq, cp.audit_upto, cp.change_upto)
    texts = (cp.digest, cp.segment_digest, cp.key_id, cp.signature)
    return (
        all(isinstance(v, int) and not isinstance(v, bool) for v in ints)
        and all(isinstance(v, str) for v in texts)
        and isinstance(cp.prev_digest, str | None)
        and isinstance(cp.counts, dict)
        and isinstance(cp.created_at, datetime)
    )


def _readable_bucket(row) -> bool:
    ints = (row.bucket, row.checkpoint_seq, row.entries, row.chains, row.last)
    return all(isinstance(v, int) and not isinstance(v, bool) for v in ints) and isinstance(
        row.digest, str
    )


def _check_one(session, cp, prev, add) -> None:
    try:
        _check_one_readable(session, cp, prev, add)
    except UNREADABLE as exc:
        add(f"checkpoint {cp.seq}: a stored value cannot be read ({type(exc).__name__}: {exc})")


def _check_one_readable(session, cp, prev, add) -> None:
    where = f"checkpoint {cp.seq}"
    if prev is None and cp.seq != 1:
        add(f"{where}: the checkpoints before it (1..{cp.seq - 1}) were removed")
    elif prev is not None and cp.seq != prev.seq + 1:
        add(f"{where}: checkpoints {prev.seq + 1}..{cp.seq - 1} were removed")
    if cp.prev_digest != (prev.digest if prev is not None else None):
        add(f"{where}: does not link to the checkpoint before it")
    rows = session.scalars(
        select(AuditCheckpointBucket).where(AuditCheckpointBucket.checkpoint_seq == cp.seq)
    ).all()
    rows = sorted(rows, key=lambda r: (r.kind, r.bucket))  # Python's order, not a collation's
    if segment_digest(rows) != cp.segment_digest:
        add(f"{where}: its bucket rows are not those its segment digest was made of")
    if digest_of(cp) != cp.digest:
        add(f"{where}: was altered (its digest does not match its contents)")
    else:
        check_signature(cp, where, add)
    before = prev.counts if prev is not None else zero_counts()
    if prev is not None and (cp.audit_upto < prev.audit_upto or cp.change_upto < prev.change_upto):
        add(f"{where}: covers fewer entries than checkpoint {prev.seq}")
    if add_counts(before, rows) != add_counts(cp.counts, ()):
        add(f"{where}: its counts are not those before it plus its segment's")


def check_chain(session: Session, add: Callable[[str], None]) -> Book:
    """Check every checkpoint (links, digests, signatures, counts); return their cut-offs."""
    book = Book()
    prev = None
    for cp in session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id).execution_options(yield_per=500)
    ):
        if not _readable(cp):
            add(f"checkpoint row {cp.id}: holds values of the wrong type: altered")
            continue
        if book.seqs and cp.seq <= book.seqs[-1]:
            add(f"checkpoint {cp.seq}: out of order (row {cp.id}): altered")
            continue
        _check_one(session, cp, prev, add)
        if book.audit_uptos and (
            cp.audit_upto < book.audit_uptos[-1] or cp.change_upto < book.change_uptos[-1]
        ):
            continue  # named by _check_one: covers less than the one before it
        book.seqs.append(cp.seq)
        book.audit_uptos.append(cp.audit_upto)
        book.change_uptos.append(cp.change_upto)
        prev = cp
    book.newest = prev
    orphans = session.scalars(
        select(AuditCheckpointBucket.checkpoint_seq)
        .where(AuditCheckpointBucket.checkpoint_seq.not_in(book.seqs or [0]))
        .distinct()
        .order_by(AuditCheckpointBucket.checkpoint_seq)
        .limit(10)
    ).all()
    for seq in orphans:
        add(f"checkpoint {seq}: was removed (what it covered, bucket by bucket, is still held)")
    return book


def check_newest(session: Session, add: Callable[[str], None]) -> Book:
    """Check only the newest checkpoint, and its link to the one before it."""
    book = Book()
    last_two = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(2)
    ).all()
    if not last_two:
        return book
    cp, prev = last_two[0], (last_two[1] if len(last_two) > 1 else None)
    if not _readable(cp) or (prev is not None and not _readable(prev)):
        add("the newest checkpoints hold values of the wrong type: altered; run a full verify")
        return book
    _check_one(session, cp, prev, add)
    if prev is not None:
        book.seqs.append(prev.seq)
        book.audit_uptos.append(prev.audit_upto)
        book.change_uptos.append(prev.change_upto)
    book.seqs.append(cp.seq)
    book.audit_uptos.append(cp.audit_upto)
    book.change_uptos.append(cp.change_upto)
    book.newest = cp
    return book


def _range(kind: str, bucket: int) -> str:
    low, high = bucket * BUCKET, (bucket + 1) * BUCKET - 1
    what = "change entries" if kind == CHANGE_LOG else f"{kind} records"
    return f"{what} #{low}..#{high}"


def judge(
    add,
    kind: str,
    bucket: int,
    seq: int,
    expected,
    found: tuple | None,
    absent: Callable[[int, int], str] | None = None,
) -> None:
    """Report a bucket whose entries (``found``: entries, chains, digest) are not what
    checkpoint ``seq`` said (``expected``: a bucket row; None: it said nothing there).
    ``absent(bucket, last)`` names the records missing from it, when chains were removed."""
    entries, chains, digest = found or (0, 0, None)
    if expected is None:
        add(
            f"{_range(kind, bucket)}: {entries} entries lie in checkpoint {seq}'s range but "
            "it covered none there: entries were added after it"
        )
        return
    if (entries, chains, digest) == (expected.entries, expected.chains, expected.digest):
        return
    if entries < expected.entries:
        what = "entries it covered were removed"
        if chains < expected.chains:
            what = f"{expected.chains - chains} record(s) were removed with their chains"
            if absent is not None:
                what += absent(bucket, expected.last)
    elif entries > expected.entries:
        what = "entries were added"
    else:
        what = "entries it covered were altered or replaced"
    add(
        f"{_range(kind, bucket)}: checkpoint {seq} covered {expected.entries} entries "
        f"({expected.chains} chains begun) there, the log holds {entries} ({chains}): {what}"
    )


class BucketCheck:
    """Compares a kind's entries, fed in bucket order, with what the checkpoints say.

    Entries after the newest checkpoint are left to the chains' own checks.
    """

    def __init__(self, session: Session, kind: str, book: Book, add: Callable[[str], None]):
        self.session, self.kind, self.book, self.add = session, kind, book, add
        self.uptos = book.uptos(kind)
        self.known = set(book.seqs)
        self.last = self.uptos[-1] if self.uptos else 0
        query = (
            select(AuditCheckpointBucket)
            .where(AuditCheckpointBucket.kind == kind)
            .order_by(AuditCheckpointBucket.bucket, AuditCheckpointBucket.checkpoint_seq)
        )
        self._result = session.execute(query.execution_options(yield_per=STREAM)).scalars()
        self._expected = iter(self._result)
        self._next = self._following()
        self.bucket: int | None = None
        self.found: dict[int, BucketDigest] = {}
        self.entries = 0  # covered by the newest checkpoint
        self.chains = 0

    def add_entry(self, entry_id: int, key: int, leaf: bytes, first: bool) -> None:
        if entry_id > self.last:
            return
        self.entries += 1
        self.chains += first
        bucket = key // BUCKET
        if bucket != self.bucket:
            self._close()
            self.bucket = bucket
        seq = self.book.seqs[bisect_left(self.uptos, entry_id)]
        self.found.setdefault(seq, BucketDigest()).add(leaf, first, key)

    def _following(self):
        """The next bucket row the checkpoints hold of this kind, skipping (and naming)
        rows of the wrong type, and rows out of order."""
        for row in self._expected:
            if not _readable_bucket(row):
                self.add(
                    f"{self.kind}: a checkpoint's bucket row holds values of the wrong "
                    "type: altered"
                )
                continue
            return row
        return None

    def _compare(self, bucket: int, seq: int, expected, found: BucketDigest | None) -> None:
        if seq not in self.known:
            return  # the bucket of a removed checkpoint: named by ``check_chain``
        judge(
            self.add,
            self.kind,
            bucket,
            seq,
            expected,
            found.result() if found else None,
            self._absent if self.kind in WORKFLOWS else None,
        )

    def _absent(self, bucket: int, last: int) -> str:
        """The ids in the bucket no record holds, up to the highest the checkpoint saw there:
        where the removed records were (a rolled-back creation leaves such a gap too)."""
        model = WORKFLOWS[self.kind].model
        low, top = max(bucket * BUCKET, 1), min(last, (bucket + 1) * BUCKET - 1)
        held = set(self.session.scalars(select(model.id).where(model.id.between(low, top))))
        gaps = [n for n in range(low, top + 1) if n not in held]
        if not gaps:
            return ""
        shown = ", ".join(f"#{n}" for n in gaps[:10])
        more = f" and {len(gaps) - 10} more" if len(gaps) > 10 else ""
        return f"; no record holds {shown}{more}"

    def _drain_before(self, bucket: int | None) -> None:
        """Expected rows of the buckets before ``bucket`` (None: all): no entry reached them."""
        while self._next is not None and (bucket is None or self._next.bucket < bucket):
            self._compare(self._next.bucket, self._next.checkpoint_seq, self._next, None)
            self._next = self._following()

    def _close(self) -> None:
        """Compare the bucket in hand with what the checkpoints say of it."""
        if self.bucket is None:
            return
        self._drain_before(self.bucket)
        while self._next is not None and self._next.bucket == self.bucket:
            row, self._next = self._next, self._following()
            self._compare(
                row.bucket, row.checkpoint_seq, row, self.found.pop(row.checkpoint_seq, None)
            )
        for seq, found in sorted(self.found.items()):
            self._compare(self.bucket, seq, None, found)
        self.found = {}

    def finish(self) -> None:
        """Compare what is left: the last bucket, and expected buckets no entry reached."""
        self._close()
        self.bucket = None
        self._drain_before(None)
        self._result.close()

    def check_counts(self) -> None:
        """The newest checkpoint's counts of this kind against the entries fed."""
        cp = self.book.newest
        if cp is None:
            return
        if self.kind == CHANGE_LOG:
            said, chains = cp.counts.get(CHANGE_LOG, {}).get("entries", 0), None
        else:
            kept = cp.counts.get("audit", {}).get(self.kind, {"entries": 0, "chains": 0})
            said, chains = kept["entries"], kept["chains"]
        if self.entries != said or (chains is not None and self.chains != chains):
            what = "change entries" if self.kind == CHANGE_LOG else f"{self.kind} entries"
            self.add(
                f"{what}: checkpoint {cp.seq} covered {said}"
                f"{'' if chains is None else f' of {chains} records'}, the log holds "
                f"{self.entries}{'' if chains is None else f' of {self.chains}'}: "
                f"entries were {'removed' if self.entries < said else 'added'}"
            )


def counts_in_log(session: Session, cp: AuditCheckpoint) -> dict:
    """The counts ``cp`` reports, as the database holds them now, and each kind's chains
    begun and entries in the whole log (``all_chains``, ``all_entries``); one scan of each
    log."""
    result = zero_counts()
    covered = AuditEntry.id <= cp.audit_upto
    first = AuditEntry.seq == 1
    rows = session.execute(
        select(
            AuditEntry.workflow,
            func.count().filter(covered),
            func.count().filter(covered & first),
            func.count().filter(first),
            func.count(),
        ).group_by(AuditEntry.workflow)
    ).all()
    for workflow, entries, chains, all_chains, all_entries in rows:
        result["audit"][workflow] = {
            "entries": entries,
            "chains": chains,
            "all_chains": all_chains,
            "all_entries": all_entries,
        }
    result[CHANGE_LOG]["entries"] = session.scalar(
        select(func.count()).select_from(ChangeEntry).where(ChangeEntry.id <= cp.change_upto)
    )
    return result


def check_published(
    session: Session, published_: dict, add: Callable[[str], None], public_key: str | None = None
) -> None:
    """Whether the database still holds the checkpoint ``published_`` as it was published."""
    seq = published_["seq"]
    where = f"published checkpoint {seq}"
    public = public_key or audit_keys.current().public_key(published_["key_id"])
    if public is None:
        add(
            f"{where}: signed with a key not held here ({published_['key_id']!r}); give its "
            "public key with --public-key"
        )
    elif not audit_keys.verify_signature(
        public, published_["signature"], published_["digest"].encode()
    ):
        add(f"{where}: its signature does not verify: the file is not what Alur published")
        return
    body_ = {k: published_.get(k) for k in BODY}
    if hashlib.sha256(_canonical(body_)).hexdigest() != published_["digest"]:
        add(f"{where}: its digest does not match its contents: the file was altered")
        return
    held = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == seq))
    if held is None:
        add(f"{where}: the database holds no checkpoint {seq}: it was removed")
    elif held.digest != published_["digest"]:
        add(
            f"{where}: the database's checkpoint {seq} is not the one published (digest "
            f"{held.digest[:12]}, published {published_['digest'][:12]}): the log was "
            "rewritten after it was published"
        )


def record_verify(session: Session, report, started_at: datetime) -> None:
    """Keep a verify's outcome (for the dashboard and the auditors) in its own transaction;
    one that found problems is told to the admins."""
    session.rollback()
    with write_transaction(session):
        run = AuditVerifyRun(
            started_at=started_at,
            finished_at=utcnow(),
            kind=report.kind,
            ok=report.ok,
            entries=report.entries + report.changes,
            records=report.records,
            problem_count=report.problem_count,
            first_problem=report.problems[0][:2000] if report.problems else None,
            checkpoint_seq=report.checkpoint,
        )
        session.add(run)
    if not report.ok:
        tell_failure(session, run.first_problem or "", verify_run=run.id)


def last_verify(session: Session) -> AuditVerifyRun | None:
    return session.scalar(select(AuditVerifyRun).order_by(AuditVerifyRun.id.desc()).limit(1))


def check_archive(session: Session, directory: Path | str, add: Callable[[str], None]) -> None:
    """Hold the database to the newest checkpoint in the archive (``check_published``)."""
    directory = Path(directory)
    try:
        names = sorted(p.name for p in directory.glob("checkpoint-*.json"))
        if not names:
            return
        newest_file = directory / names[-1]
        published_ = load_published(newest_file.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        add(f"the checkpoint archive {directory}: {exc}")
        return
    check_published(session, published_, add)
