"""Performance periods: an agency's year, or a quarter or month of it, with its deadlines.

PermenPANRB 6/2022: performance is planned at the start of a period, its realisation
documented through it, and evaluated periodically (each quarter or month, as the agency
sets) and once a year. A period is opened for a whole agency at once, which makes the
appraisal of every employee who has none yet for it (``workflow.periods``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.org import Agency


class PeriodKind(StrEnum):
    ANNUAL = "annual"  # tahunan
    QUARTERLY = "quarterly"  # triwulanan
    MONTHLY = "monthly"  # bulanan


# How many of each kind a year holds.
PARTS = {PeriodKind.ANNUAL: 1, PeriodKind.QUARTERLY: 4, PeriodKind.MONTHLY: 12}


def period_code(kind: str, number: int) -> str:
    """The appraisal's ``period`` of the ``number``-th period of ``kind``: annual, Q1, M03."""
    if kind == PeriodKind.ANNUAL:
        return "annual"
    if kind == PeriodKind.QUARTERLY:
        return f"Q{number}"
    return f"M{number:02d}"


class PerformancePeriod(db.Model):
    """One agency's period: its dates, the deadlines for plans, realisation and evaluation,
    and when (and by whom) it was opened."""

    __tablename__ = "performance_periods"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "kind", "number", name="uq_performance_periods"),
        CheckConstraint("kind IN ('annual', 'quarterly', 'monthly')", name="kind"),
        CheckConstraint(
            "(kind = 'annual' AND number = 1) OR (kind = 'quarterly' AND number BETWEEN 1 AND 4)"
            " OR (kind = 'monthly' AND number BETWEEN 1 AND 12)",
            name="number",
        ),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint(
            "starts_on <= plans_due_on AND plans_due_on <= ends_on "
            "AND ends_on <= realisation_due_on AND realisation_due_on <= evaluation_due_on",
            name="dates_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer, default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    plans_due_on: Mapped[date]  # SKP plans agreed by then
    realisation_due_on: Mapped[date]  # realisation and evidence entered by then
    evaluation_due_on: Mapped[date]  # the evaluation done by then
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship()

    @property
    def code(self) -> str:
        """What its appraisals hold in ``period``."""
        return period_code(self.kind, self.number)
