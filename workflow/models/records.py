"""Three of the kinds of record that move through workflows (the SKP plan: models/plans.py)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from workflow.db import db
from workflow.models.audit import JSONType
from workflow.models.base import PERIOD_CHECK, WorkflowRecord, record_states
from workflow.models.org import Employee
from workflow.models.programs import TrainingProgram

TrainingNominationState = record_states("completed")
MentoringAssignmentState = record_states("active", "completed")
AppraisalState = record_states("appealed")  # keberatan: the employee objects to the predicate

OPEN = "state NOT IN ('rejected', 'withdrawn')"


def _state_check(states) -> sa.CheckConstraint:
    values = ", ".join(repr(s.value) for s in states)
    return sa.CheckConstraint(f"state IN ({values})", name="state")


def _open_unique(name: str, *columns: str) -> sa.Index:
    """At most one record per ``columns`` that is not rejected or withdrawn."""
    where = sa.text(OPEN)
    return sa.Index(name, *columns, unique=True, postgresql_where=where, sqlite_where=where)


class TrainingNomination(WorkflowRecord, db.Model):
    __tablename__ = "training_nominations"
    __table_args__ = (
        _state_check(TrainingNominationState),
        _open_unique("uq_training_nominations_open", "employee_id", "program_id"),
        sa.Index("ix_training_nominations_employee_state", "employee_id", "state"),
        sa.Index("ix_training_nominations_agency_state", "agency_id", "state", "state_changed_at"),
        sa.Index("ix_training_nominations_agency_page", "agency_id", "id"),
        sa.Index("ix_training_nominations_program_state", "program_id", "state"),
        sa.Index("ix_training_nominations_state_since", "state", "state_changed_at"),
    )
    workflow_name = "training_nomination"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("training_programs.id"))
    justification: Mapped[str | None] = mapped_column(Text)
    # What approval took, so that a withdrawal gives back exactly that (workflow.capacity).
    committed_cost: Mapped[int | None] = mapped_column(BigInteger)
    budget_year: Mapped[int | None]

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    program: Mapped[TrainingProgram] = relationship()
    subject_id = synonym("employee_id")
    subject = synonym("employee")


class MentoringAssignment(WorkflowRecord, db.Model):
    __tablename__ = "mentoring_assignments"
    __table_args__ = (
        _state_check(MentoringAssignmentState),
        sa.CheckConstraint("mentor_id <> mentee_id", name="mentor_not_mentee"),
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("jp > 0", name="jp_positive"),
        sa.CheckConstraint(
            "competency_score IS NULL OR competency_score BETWEEN 1 AND 5",
            name="competency_score_range",
        ),
        sa.Index("ix_mentoring_assignments_mentor_state", "mentor_id", "state"),
        sa.Index("ix_mentoring_assignments_mentee_state", "mentee_id", "state"),
        sa.Index("ix_mentoring_assignments_agency_state", "agency_id", "state", "state_changed_at"),
        sa.Index("ix_mentoring_assignments_agency_page", "agency_id", "id"),
        sa.Index("ix_mentoring_assignments_state_since", "state", "state_changed_at"),
    )
    workflow_name = "mentoring_assignment"

    mentor_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    goals: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    end_date: Mapped[date]
    jp: Mapped[int]
    coaching_feedback: Mapped[str | None] = mapped_column(Text)  # recorded on completion
    competency_score: Mapped[int | None]  # 1-5, the coaching form's evaluation

    mentor: Mapped[Employee] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Employee] = relationship(foreign_keys=[mentee_id])
    subject_id = synonym("mentee_id")
    subject = synonym("mentee")


class Appraisal(WorkflowRecord, db.Model):
    __tablename__ = "appraisals"
    __table_args__ = (
        _state_check(AppraisalState),
        sa.CheckConstraint(
            "assessor_id <> employee_id AND approver_id <> employee_id "
            "AND approver_id <> assessor_id",
            name="three_people",
        ),
        sa.CheckConstraint(PERIOD_CHECK, name="period"),
        _open_unique("uq_appraisals_open_period", "employee_id", "year", "period"),
        sa.Index("ix_appraisals_assessor_state", "assessor_id", "state", "state_changed_at"),
        sa.Index("ix_appraisals_approver_state", "approver_id", "state", "state_changed_at"),
        sa.Index("ix_appraisals_employee_state", "employee_id", "state"),
        sa.Index("ix_appraisals_state_since", "state", "state_changed_at"),
        sa.Index("ix_appraisals_agency_state", "agency_id", "state", "state_changed_at"),
        sa.Index("ix_appraisals_agency_page", "agency_id", "id"),
        sa.UniqueConstraint("id", "employee_id", name="uq_appraisals_id_employee"),
    )
    workflow_name = "appraisal"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int]
    period: Mapped[str] = mapped_column(String(8))  # annual, Q1..Q4, M01..M12
    assessor_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))  # pejabat penilai
    approver_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))  # atasan pejabat penilai
    self_assessment: Mapped[str | None] = mapped_column(Text)
    work_result_rating: Mapped[str | None] = mapped_column(String(24))  # hasil kerja
    behaviour_rating: Mapped[str | None] = mapped_column(String(24))  # perilaku kerja
    feedback: Mapped[str | None] = mapped_column(Text)
    # umpan balik per BerAKHLAK value: {"akuntabel": "...", ...}
    behaviour_feedback: Mapped[dict | None] = mapped_column(JSONType)
    predicate: Mapped[str | None] = mapped_column(String(24))  # predikat kinerja
    predicate_rule: Mapped[str | None] = mapped_column(String(32))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    assessor: Mapped[Employee] = relationship(foreign_keys=[assessor_id])
    approver: Mapped[Employee] = relationship(foreign_keys=[approver_id])
    subject_id = synonym("employee_id")
    subject = synonym("employee")
