"""Printed documents that anyone can check: the seal a document carries, and its verdict.

A printed *Dokumen Evaluasi Kinerja Pegawai* carries a seal: the record's place in its
audit chain (the entry it was printed at) and the start of that entry's hash, which is
keyed with the audit key, so a seal cannot be made up without it. Whoever scans the
document's QR code learns, without logging in, whether it is the record as it stands
now, an earlier state of it, or nothing this system issued; they see the employee's name
and NIP and the predikat, nothing more.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import verification
from workflow.models import AuditEntry
from workflow.workflows import WORKFLOWS

# Hex characters of the entry's hash a seal carries (96 bits: no guessing, a short URL).
SEAL_HEX = 24
SEAL = re.compile(rf"(\d{{1,9}})-([0-9a-f]{{{SEAL_HEX}}})")


def seal(record) -> str:
    """The seal of ``record`` as it stands: ``<seq>-<hash prefix>`` of its newest entry."""
    if not record.audit_seq or not record.audit_head:
        raise ValueError("a record without an audit entry cannot be sealed")
    return f"{record.audit_seq}-{record.audit_head[:SEAL_HEX]}"


@dataclass(frozen=True)
class Verdict:
    """What a seal says of its record today."""

    current: bool  # the record is as it was printed, and its chain and fields verify
    sealed_at: datetime  # when the entry it was printed at was written
    state_then: str
    record: object  # the record as it is now
    altered: bool  # its chain or fields fail verification: changed outside the engine


def verify(session: Session, workflow: str, record_id: int, token: str) -> Verdict | None:
    """The verdict on a document of ``workflow``'s record sealed with ``token``; None when
    no document with that seal was issued (unknown record, entry or hash)."""
    wf = WORKFLOWS.get(workflow)
    matched = SEAL.fullmatch(token or "")
    if wf is None or matched is None:
        return None
    seq, prefix = int(matched.group(1)), matched.group(2)
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.workflow == workflow,
            AuditEntry.record_id == record_id,
            AuditEntry.seq == seq,
        )
    )
    if entry is None or not hmac.compare_digest(entry.hash[:SEAL_HEX], prefix):
        return None
    record = session.get(wf.model, record_id)
    if record is None:
        return None
    altered = bool(verification.verify_record(session, workflow, record_id))
    return Verdict(
        current=not altered and record.audit_seq == seq,
        sealed_at=entry.created_at,
        state_then=entry.to_state,
        record=record,
        altered=altered,
    )
