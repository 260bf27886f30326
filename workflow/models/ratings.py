"""The organisation's own performance rating (predikat kinerja organisasi) per period."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.base import PERIOD_CHECK
from workflow.models.org import Agency


class OrganisationPredicate(StrEnum):
    """PermenPANRB 6/2022: the five ratings of an organisation's performance."""

    ISTIMEWA = "Istimewa"
    BAIK = "Baik"
    BUTUH_PERBAIKAN = "Butuh Perbaikan"
    KURANG = "Kurang"
    SANGAT_KURANG = "Sangat Kurang"


class OrganisationRating(db.Model):
    """The rating the agency's leadership set for a year and period.

    It decides which distribution of employee predicates is expected
    (``workflow.distribution``); setting it again replaces it.
    """

    __tablename__ = "organisation_ratings"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "period", name="uq_organisation_ratings_period"),
        CheckConstraint(
            "rating IN (" + ", ".join(f"'{r.value}'" for r in OrganisationPredicate) + ")",
            name="rating",
        ),
        CheckConstraint(PERIOD_CHECK, name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    period: Mapped[str] = mapped_column(String(8))  # annual, Q1..Q4, M01..M12
    rating: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)  # e.g. the decree that set it
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
