"""Columns shared by every record that moves through a workflow."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from workflow.db import UTCDateTime, utcnow


def _next_version(current: int | None) -> int:
    return 0 if current is None else current + 1


# The states every workflow has (PermenPANRB 6/2022's cycle and BKN practice alike): drafted,
# submitted, reviewed by the first official, approved by the second, or sent back, turned
# down or withdrawn.
COMMON_STATES = ("draft", "submitted", "reviewed", "approved", "returned", "rejected", "withdrawn")


# The periods an appraisal and an organisation's rating are for (PermenPANRB 6/2022: the
# year, its quarters, or a month).
PERIODS = ("annual", "Q1", "Q2", "Q3", "Q4", *(f"M{month:02d}" for month in range(1, 13)))
PERIOD_CHECK = "period IN (" + ", ".join(f"'{period}'" for period in PERIODS) + ")"


def record_states(*own: str) -> type[StrEnum]:
    """A workflow's states: the common ones, with its own after ``approved`` (where it goes on)."""
    return StrEnum("State", [*COMMON_STATES[:4], *own, *COMMON_STATES[4:]])


class WorkflowRecord:
    """Mixin: state (written only by the engine), version, audit anchor.

    ``audit_seq``/``audit_head`` are the number and hash of the record's last
    audit row: the anchor that lets ``audit verify`` notice a removed last row.
    """

    workflow_name: str  # set on each model; the key in workflow.workflows.WORKFLOWS

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str | None] = mapped_column(String(64))

    @declared_attr
    def __mapper_args__(cls):
        # Optimistic lock: every UPDATE checks and bumps the version. Creation is
        # an INSERT plus the UPDATE that anchors the first audit entry, so the
        # INSERT writes 0 and a new record is seen at version 1.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": _next_version}

    @declared_attr
    def agency(cls):
        return relationship("Agency")

    @declared_attr
    def reviewed_by(cls):
        return relationship("User", foreign_keys=[cls.reviewed_by_id])
