"""Deadlines of workflow steps: the holiday calendar, and the notices the SLA run gave."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import UTCDateTime, db, utcnow


class Holiday(db.Model):
    """A day off (libur nasional, cuti bersama): not a working day for deadlines."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class SlaNotice(db.Model):
    """A reminder or an escalation about one record's wait in one state, given once.

    ``state_since`` ties the notice to that wait: if the record moves on and comes
    back, its new wait gets notices of its own.
    """

    __tablename__ = "sla_notices"
    __table_args__ = (
        UniqueConstraint("workflow", "record_id", "state_since", "kind"),
        CheckConstraint("kind IN ('reminder', 'escalation')", name="kind"),
        Index("ix_sla_notices_escalated_to", "escalated_to_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    state: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(12))
    due_on: Mapped[date]
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
