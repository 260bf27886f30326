"""Training programs, agencies' yearly development budgets and the JP ledger."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.org import Agency, Employee


class DevelopmentForm(StrEnum):
    """Forms of competency development (bentuk pengembangan kompetensi)."""

    # klasikal
    PELATIHAN = "pelatihan"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    KURSUS = "kursus"
    BIMTEK = "bimtek"
    # non-klasikal
    E_LEARNING = "e_learning"
    COACHING = "coaching"
    MENTORING = "mentoring"
    MAGANG = "magang"
    BENCHMARKING = "benchmarking"


CLASSICAL_FORMS = frozenset(
    {
        DevelopmentForm.PELATIHAN,
        DevelopmentForm.SEMINAR,
        DevelopmentForm.WORKSHOP,
        DevelopmentForm.KURSUS,
        DevelopmentForm.BIMTEK,
    }
)


class DeliveryMode(StrEnum):
    TATAP_MUKA = "tatap_muka"  # face to face
    DARING = "daring"  # online
    BLENDED = "blended"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class TrainingProgram(db.Model):
    """A program an organiser runs: its JP, dates, seats and cost per participant."""

    __tablename__ = "training_programs"
    __table_args__ = (
        CheckConstraint(_in("form", DevelopmentForm), name="form"),
        CheckConstraint(_in("delivery_mode", DeliveryMode), name="delivery_mode"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("seat_quota > 0", name="seat_quota_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= seat_quota", name="seats_within_quota"
        ),
        CheckConstraint("cost_per_participant >= 0", name="cost_not_negative"),
        Index("ix_training_programs_start_date", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(16))
    delivery_mode: Mapped[str] = mapped_column(String(16))
    organiser: Mapped[str] = mapped_column(String(200))  # penyelenggara
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    jp: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    seat_quota: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    cost_per_participant: Mapped[int] = mapped_column(BigInteger)  # rupiah
    description: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency | None] = relationship()

    @property
    def classical(self) -> bool:
        """Klasikal (True) or non-klasikal (False), from the form."""
        return DevelopmentForm(self.form) in CLASSICAL_FORMS

    def __repr__(self) -> str:
        return f"<TrainingProgram {self.code}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DevelopmentBudget(db.Model):
    """An agency's development budget for one year, and how much is committed."""

    __tablename__ = "development_budgets"
    __table_args__ = (
        UniqueConstraint("agency_id", "year"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("committed >= 0 AND committed <= amount", name="committed_within_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    amount: Mapped[int] = mapped_column(BigInteger)  # rupiah
    committed: Mapped[int] = mapped_column(BigInteger, default=0)

    agency: Mapped[Agency] = relationship()


class JpLedgerEntry(db.Model):
    """JP (jam pelajaran) credited to an employee for a year, once per source."""

    __tablename__ = "jp_ledger"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        CheckConstraint("jp > 0", name="jp_positive"),
        Index("ix_jp_ledger_employee_year", "employee_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int]
    jp: Mapped[int]
    source: Mapped[str] = mapped_column(String(32))  # a workflow name, or "manual"
    source_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employee: Mapped[Employee] = relationship()
