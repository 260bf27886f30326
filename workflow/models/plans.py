"""The SKP plan (*Sasaran Kinerja Pegawai*) and its results (*rencana hasil kerja*, RHK).

PermenPANRB 6/2022: at the start of the year each employee agrees with their assessor
(pejabat penilai kinerja) the results they will deliver. Each main (*utama*) RHK supports
an RHK of the assessor's own agreed plan, so the agency's targets cascade down the org
chart; the agency head's main RHK serve the agency's targets themselves. Additional
(*tambahan*) RHK cascade from nothing. Each RHK has indicators (quantity, quality, time,
and cost where used) with their targets.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.audit import JSONType
from workflow.models.base import PERIOD_CHECK, WorkflowRecord
from workflow.models.org import Employee

# Agreed by the assessor, or sent back for revision; withdrawn by the employee or HR.
# No review by a second official: the plan is agreed between the two.
SkpPlanState = StrEnum("State", ["draft", "submitted", "approved", "returned", "withdrawn"])


class RhkKind(StrEnum):
    MAIN = "utama"
    ADDITIONAL = "tambahan"


class Aspect(StrEnum):
    """What an RHK's indicator measures (PermenPANRB 6/2022)."""

    QUANTITY = "kuantitas"
    QUALITY = "kualitas"
    TIME = "waktu"
    COST = "biaya"


class SkpPlan(WorkflowRecord, db.Model):
    __tablename__ = "skp_plans"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'approved', 'returned', 'withdrawn')",
            name="state",
        ),
        sa.CheckConstraint("assessor_id IS NULL OR assessor_id <> employee_id", name="two_people"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.Index(
            "uq_skp_plans_open_year",
            "employee_id",
            "year",
            unique=True,
            postgresql_where=sa.text("state <> 'withdrawn'"),
            sqlite_where=sa.text("state <> 'withdrawn'"),
        ),
        sa.Index("ix_skp_plans_assessor_state", "assessor_id", "state", "state_changed_at"),
        sa.Index("ix_skp_plans_employee_state", "employee_id", "state"),
        sa.Index("ix_skp_plans_agency_state", "agency_id", "state", "state_changed_at"),
        sa.Index("ix_skp_plans_agency_page", "agency_id", "id"),
        sa.Index("ix_skp_plans_state_since", "state", "state_changed_at"),
    )
    workflow_name = "skp_plan"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int]
    # Pejabat penilai kinerja, who agrees the plan; none for the agency head, whose plan
    # the official above the agency (PPK) agrees, recorded here by an admin.
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # The leader's expectations of each BerAKHLAK value, given when the plan is agreed.
    expectations: Mapped[dict | None] = mapped_column(JSONType)
    # SHA-256 of the plan's RHK as written (``workflow.plans.rhk_digest``): what the audit
    # entries vouch for of the rows in ``rhk_items``.
    rhk_digest: Mapped[str | None] = mapped_column(String(64))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    assessor: Mapped[Employee | None] = relationship(foreign_keys=[assessor_id])
    items: Mapped[list[RhkItem]] = relationship(
        back_populates="plan", order_by="RhkItem.position", cascade="all, delete-orphan"
    )
    subject_id = synonym("employee_id")
    subject = synonym("employee")


class RhkItem(db.Model):
    """One RHK of a plan: written and replaced only with its plan (``workflow.plans``)."""

    __tablename__ = "rhk_items"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('utama', 'tambahan')", name="kind"),
        sa.CheckConstraint(
            "kind = 'utama' OR (parent_id IS NULL AND agency_target IS NULL)",
            name="additional_cascades_from_nothing",
        ),
        sa.CheckConstraint("parent_id IS NULL OR agency_target IS NULL", name="one_source"),
        sa.Index("ix_rhk_items_plan", "plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("skp_plans.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    # The RHK of the assessor's agreed plan this one supports (intervensi atasan).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("rhk_items.id"), index=True)
    # The agency head's main RHK: the agency's target it serves (from its Renstra/RKT).
    agency_target: Mapped[str | None] = mapped_column(Text)
    # [{"aspect": "kuantitas", "indicator": "...", "target": "..."}, ...]
    indicators: Mapped[list] = mapped_column(JSONType)

    plan: Mapped[SkpPlan] = relationship(back_populates="items")
    parent: Mapped[RhkItem | None] = relationship(remote_side=[id])


class PlanFeedback(db.Model):
    """A dated note of the assessor on one RHK or one BerAKHLAK value of an agreed plan:
    the continuous feedback (umpan balik berkelanjutan) PermenPANRB 6/2022 asks for through
    the year, seen by the employee and listed again when the assessor rates."""

    __tablename__ = "plan_feedback"
    __table_args__ = (
        sa.CheckConstraint("(rhk_id IS NULL) <> (core_value IS NULL)", name="on_an_rhk_or_a_value"),
        sa.Index("ix_plan_feedback_plan", "plan_id", "given_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("skp_plans.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    rhk_id: Mapped[int | None] = mapped_column(ForeignKey("rhk_items.id"))
    core_value: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    given_on: Mapped[date]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[SkpPlan] = relationship()
    rhk: Mapped[RhkItem | None] = relationship()


class Realisation(db.Model):
    """What one RHK achieved in one period of its year: the realised value, a narrative,
    and the evidence (bukti dukung) behind it."""

    __tablename__ = "realisations"
    __table_args__ = (
        sa.UniqueConstraint("rhk_id", "period", name="uq_realisations_rhk_period"),
        sa.CheckConstraint(PERIOD_CHECK, name="period"),
        sa.Index("ix_realisations_plan", "plan_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("skp_plans.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    rhk_id: Mapped[int] = mapped_column(ForeignKey("rhk_items.id"))
    period: Mapped[str] = mapped_column(String(8))  # annual, Q1..Q4, M01..M12
    value: Mapped[str] = mapped_column(Text)  # as the indicator's target is said: "12 laporan"
    narrative: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[SkpPlan] = relationship()
    rhk: Mapped[RhkItem] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="realisation", order_by="Evidence.id"
    )


class Evidence(db.Model):
    """One piece of evidence for a realisation: a file (PDF or image, kept by its SHA-256
    in the evidence store) or a link."""

    __tablename__ = "evidence"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('file', 'link')", name="kind"),
        sa.CheckConstraint(
            "(kind = 'file' AND sha256 IS NOT NULL AND url IS NULL) "
            "OR (kind = 'link' AND url IS NOT NULL AND sha256 IS NULL)",
            name="file_or_link",
        ),
        sa.Index("ix_evidence_realisation", "realisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realisation_id: Mapped[int] = mapped_column(ForeignKey("realisations.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    realisation: Mapped[Realisation] = relationship(back_populates="evidence")
