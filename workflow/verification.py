"""Verifying the audit log: every chain, every record against its last entry, the change log,
and the checkpoints; in full or since the newest checkpoint."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from workflow import checkpoint_checks, checkpoints
from workflow.audit import (
    MAX_REPORTED_PROBLEMS,
    change_hash,
    entry_hash,
    record_digest,
    record_fields,
)
from workflow.models.audit import AuditEntry
from workflow.models.changes import ChangeEntry
from workflow.workflows import WORKFLOWS


@dataclass
class VerifyReport:
    kind: str = "full"
    records: int = 0
    entries: int = 0
    changes: int = 0  # change-log entries
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)
    checkpoint: int | None = None  # the newest checkpoint's seq, when there is one

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(problem)


Progress = Callable[[int], None] | None


def verify(session: Session, *, progress: Progress = None, batch: int = 5000) -> VerifyReport:
    """Check the checkpoints, every record's chain and fields, and every change entry.

    Streams the tables in key order, so memory stays flat however long the log.
    ``progress(n)`` is called with the number of entries checked since the last call.
    """
    report = VerifyReport()
    book = checkpoint_checks.check_chain(session, report.add)
    report.checkpoint = book.newest.seq if book.newest is not None else None
    for name, wf in WORKFLOWS.items():
        check = checkpoint_checks.BucketCheck(session, name, book, report.add)
        _verify_chains(session, name, wf, report, progress, batch, check=check)
        _guarded(report, f"{name}: the checkpoints' buckets", check.finish, check.check_counts)
    check = checkpoint_checks.BucketCheck(session, checkpoints.CHANGE_LOG, book, report.add)
    _verify_changes(session, report, progress, batch, check=check)
    _guarded(report, "change log: the checkpoints' buckets", check.finish, check.check_counts)
    _strays(session, report)
    return report


def _guarded(report: VerifyReport, what: str, *steps: Callable[[], object]):
    """Run ``steps`` and return the last one's value; a value planted in a form its column
    cannot hold is named, not raised (and None returned)."""
    result = None
    try:
        for step in steps:
            result = step()
    except checkpoint_checks.UNREADABLE as exc:
        report.add(f"{what}: a stored value cannot be read ({type(exc).__name__}: {exc})")
        return None
    return result


def verify_since_checkpoint(
    session: Session, *, progress: Progress = None, batch: int = 5000
) -> VerifyReport:
    """Check the newest checkpoint and what came after it; a full verify if there is none.

    The newest checkpoint's signature, its link to the one before it, and its counts
    against the log (a removed record or a cut log shows there); as many records as
    chains begun; then the whole chain of every record with an entry after it, and
    every change entry after it. What lies at or below the checkpoint's cut-off is
    left to the full verify: an entry altered there, or moved across the cut-off.
    """
    report = VerifyReport(kind="incremental")
    book = checkpoint_checks.check_newest(session, report.add)
    cp = book.newest
    if cp is None:
        if report.ok:
            report = verify(session, progress=progress, batch=batch)
            report.kind = "full"
        return report
    report.checkpoint = cp.seq
    held = _guarded(
        report, f"checkpoint {cp.seq}: its counts", lambda: _compare_counts(session, cp, report)
    )
    for name, wf in WORKFLOWS.items():
        touched = select(AuditEntry.record_id).where(
            AuditEntry.workflow == name, AuditEntry.id > cp.audit_upto
        )
        _verify_chains(session, name, wf, report, progress, batch, only=touched)
    _verify_changes(session, report, progress, batch, after=cp.change_upto)
    # The counts above read every workflow's entries: no second scan of the log for strays.
    _strays(session, report, held["audit"] if held else None)
    return report


def _compare_counts(session: Session, cp, report: VerifyReport) -> dict:
    """The log's counts against ``cp``'s and the records'; returns the log's counts."""
    held = checkpoint_checks.counts_in_log(session, cp)
    said_audit = cp.counts.get("audit", {})
    for name in sorted(set(held["audit"]) | set(said_audit), key=str):
        said = said_audit.get(name, {"entries": 0, "chains": 0})
        now = held["audit"].get(name, {"entries": 0, "chains": 0})
        if (now["entries"], now["chains"]) != (said["entries"], said["chains"]):
            what = "removed" if now["entries"] < said["entries"] else "added below it"
            report.add(
                f"{name} entries: checkpoint {cp.seq} covered {said['entries']} of "
                f"{said['chains']} records, the log holds {now['entries']} of {now['chains']}: "
                f"entries were {what}"
            )
    for name, wf in WORKFLOWS.items():
        records = session.scalar(select(func.count()).select_from(wf.model))
        chains = held["audit"].get(name, {}).get("all_chains", 0)
        if records != chains:
            report.add(
                f"{name}: {records} records but {chains} chains begun: "
                f"{'a record was removed' if records < chains else 'a record was made'} "
                "outside the engine; run a full verify to name it"
            )
    said = cp.counts.get(checkpoints.CHANGE_LOG, {}).get("entries", 0)
    if held[checkpoints.CHANGE_LOG]["entries"] != said:
        report.add(
            f"change entries: checkpoint {cp.seq} covered {said}, the log holds "
            f"{held[checkpoints.CHANGE_LOG]['entries']}"
        )
    return held


def verify_record(session: Session, name: str, record_id: int) -> list[str]:
    """The problems of one record's chain and fields (none: it verifies)."""
    report = VerifyReport(kind="record")
    only = select(literal(record_id))
    _verify_chains(session, name, WORKFLOWS[name], report, None, 100, only=only)
    return report.problems


ENTRY_COLUMNS = tuple(AuditEntry.__table__.c)


def _verify_chains(session, name, wf, report, progress, batch, *, check=None, only=None) -> None:
    model = wf.model
    fields = record_fields(wf)
    records = select(
        model.id,
        model.version,
        model.audit_seq,
        model.audit_head,
        *(getattr(model, f) for f in fields),
    ).order_by(model.id)
    entries = (
        select(*ENTRY_COLUMNS)
        .where(AuditEntry.workflow == name)
        .order_by(AuditEntry.record_id, AuditEntry.seq)
    )
    if only is not None:
        records = records.where(model.id.in_(only))
        entries = entries.where(AuditEntry.record_id.in_(only))
    # Core rows straight from the connection: the ORM's loading adds nothing to plain columns.
    connection = session.connection()
    records = connection.execute(records.execution_options(yield_per=batch))
    entries = connection.execute(entries.execution_options(yield_per=batch))
    try:
        _verify_workflow(
            name, fields, iter(records), _Peekable(iter(entries)), report, progress, check
        )
    except (ValueError, TypeError) as exc:
        # A value planted in a form the column cannot hold (SQLite keeps any text): one
        # such row must not hide the rest, nor end the check without naming a problem.
        report.add(
            f"{name}: a stored value cannot be read ({exc}); its records after the last one "
            "reported were not checked"
        )
    finally:
        records.close()
        entries.close()
    if wf.vouched is not None:
        for problem in wf.vouched(session, only):
            report.add(problem)


def _verify_changes(session, report, progress, batch, *, check=None, after: int = 0) -> None:
    rows = session.execute(
        select(*ChangeEntry.__table__.c)
        .where(ChangeEntry.id > after)
        .order_by(ChangeEntry.id)
        .execution_options(yield_per=batch)
    )
    checked = 0
    try:
        for entry in rows:
            report.changes += 1
            checked += 1
            made = change_hash(entry)
            where = f"change entry {entry.id} ({entry.model} {entry.row_key}, {entry.action})"
            if made is None:
                report.add(f"{where}: made with an unknown key ({entry.key_id!r})")
            elif not hmac.compare_digest(made, entry.hash or ""):
                report.add(f"{where}: was altered (its hash does not match its contents)")
            if check is not None:
                check.add_entry(
                    entry.id, entry.id, checkpoints.change_leaf(entry.id, entry.hash), False
                )
            if progress and checked >= 1000:
                progress(checked)
                checked = 0
    except (ValueError, TypeError) as exc:
        report.add(f"change log: a stored value cannot be read ({exc})")
    finally:
        rows.close()
    if progress and checked:
        progress(checked)


def _strays(session, report, counted: dict | None = None) -> None:
    """Entries of a workflow that does not exist; from ``counted`` (``counts_in_log``'s
    per workflow) if given, else read."""
    if counted is not None:
        strays = [(w, c["all_entries"]) for w, c in counted.items() if w not in WORKFLOWS]
    else:
        strays = session.execute(
            select(AuditEntry.workflow, func.count())
            .where(AuditEntry.workflow.not_in(list(WORKFLOWS)))
            .group_by(AuditEntry.workflow)
        ).all()
    for workflow, count in strays:
        report.entries += count
        report.add(f"{count} audit entries name a workflow that does not exist: {workflow!r}")


class _Peekable:
    def __init__(self, it: Iterator):
        self._it = it
        self._next = next(it, None)

    def peek(self):
        return self._next

    def pop(self):
        value, self._next = self._next, next(self._it, None)
        return value


def _verify_workflow(name, fields, records, entries: _Peekable, report, progress, check) -> None:
    checked = 0

    def take():
        entry = entries.pop()
        report.entries += 1
        if check is not None:
            leaf = checkpoints.audit_leaf(entry.record_id, entry.seq, entry.id, entry.hash)
            check.add_entry(entry.id, entry.record_id, leaf, entry.seq == 1)
        return entry

    for record in records:
        record_id, version, audit_seq, audit_head = record[:4]
        values = dict(zip(fields, record[4:], strict=True))
        state = values["state"]
        report.records += 1
        while entries.peek() is not None and entries.peek().record_id < record_id:
            orphan = take()
            report.add(
                f"{name} #{orphan.record_id}: audit entry {orphan.id} (seq {orphan.seq}) "
                "belongs to no record: the record was removed"
            )
        prev_hash, last = None, None
        expected_seq = 1
        while entries.peek() is not None and entries.peek().record_id == record_id:
            entry = take()
            checked += 1
            where = f"{name} #{record_id}: audit entry {entry.id} (seq {entry.seq})"
            if entry.seq != expected_seq:
                report.add(
                    f"{where}: expected seq {expected_seq}; "
                    f"entries {expected_seq}..{entry.seq - 1} were removed"
                )
            elif entry.prev_hash != prev_hash:
                report.add(f"{where}: does not link to the entry before it (prev_hash differs)")
            elif entry.seq == 1 and (entry.trigger, entry.from_state) != ("create", None):
                report.add(f"{where}: a record's first entry is its creation; this is not")
            made = entry_hash(entry)
            if made is None:
                report.add(
                    f"{where}: made with an unknown key ({entry.key_id!r}): forged, or that "
                    "key is missing from ALUR_AUDIT_OLD_KEYS"
                )
            elif not hmac.compare_digest(made, entry.hash):
                report.add(f"{where}: was altered (its hash does not match its contents)")
            prev_hash, last, expected_seq = entry.hash, entry, entry.seq + 1
        last_seq = last.seq if last is not None else 0
        if last is None:
            # The engine writes a record and its first entry in one transaction.
            report.add(
                f"{name} #{record_id}: has no audit entries: made, or its chain removed, "
                "outside the engine"
            )
        elif last_seq != audit_seq or last.hash != audit_head:
            report.add(
                f"{name} #{record_id}: the record's anchor says {audit_seq} entries ending in "
                f"{(audit_head or '-')[:12]}, the log has {last_seq}: entries were removed or "
                "replaced"
            )
        elif last.to_state != state:
            report.add(
                f"{name} #{record_id}: state is {state!r} but the last entry leads to "
                f"{last.to_state!r}: the state was changed outside the engine"
            )
        elif last.record_digest is None:
            report.add(
                f"{name} #{record_id}: its last audit entry {last.id} (seq {last.seq}) vouches "
                "for no fields: the entries after it were removed"
            )
        elif record_digest(values, version) != last.record_digest:
            report.add(
                f"{name} #{record_id}: its fields are not those its last audit entry "
                f"{last.id} (seq {last.seq}) vouches for: changed outside the engine"
            )
        if progress and checked >= 1000:
            progress(checked)
            checked = 0
    while entries.peek() is not None:
        orphan = take()
        report.add(
            f"{name} #{orphan.record_id}: audit entry {orphan.id} (seq {orphan.seq}) "
            "belongs to no record: the record was removed"
        )
    if progress and checked:
        progress(checked)
