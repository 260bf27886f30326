"""Acting officials (Plt/Plh): a supervisor's decisions delegated for a dated period."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.org import Employee


class ActingKind(StrEnum):
    PLT = "Plt"  # Pelaksana Tugas: the post is vacant
    PLH = "Plh"  # Pelaksana Harian: the holder is away for a while


class Delegation(db.Model):
    """``delegate`` acts for ``principal`` from ``starts_on`` to ``ends_on`` (both included).

    It ends by itself: outside its dates it gives no right. An HR officer of the
    principal's agency (or an admin) makes it; ``revoked_at`` ends it early.
    """

    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("principal_id <> delegate_id", name="not_self"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in ActingKind) + ")", name="kind"
        ),
        Index("ix_delegations_delegate_period", "delegate_id", "starts_on", "ends_on"),
        Index("ix_delegations_principal_period", "principal_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    principal: Mapped[Employee] = relationship(foreign_keys=[principal_id])
    delegate: Mapped[Employee] = relationship(foreign_keys=[delegate_id])
