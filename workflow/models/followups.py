"""What an approved appraisal leads to: a reward recommendation, or development."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.org import Employee


class FollowUpKind(StrEnum):
    REWARD = "reward"  # a reward recommendation (penghargaan) for a Sangat Baik
    TRAINING = "training"  # a draft training nomination
    MENTORING = "mentoring"  # a draft mentoring (bimbingan) by the assessor


class FollowUp(db.Model):
    """One follow-up of one appraisal, made by the system at approval; at most one per kind.

    ``nomination_id``/``mentoring_id`` point at the draft it created, if one
    could be made; otherwise ``note`` says why not (HR then plans it by hand).
    """

    __tablename__ = "appraisal_follow_ups"
    __table_args__ = (
        UniqueConstraint("appraisal_id", "kind"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in FollowUpKind) + ")", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    predicate: Mapped[str] = mapped_column(String(24))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("training_nominations.id"))
    mentoring_id: Mapped[int | None] = mapped_column(ForeignKey("mentoring_assignments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employee: Mapped[Employee] = relationship()
