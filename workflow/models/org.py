"""Agencies (instansi), their work units (unit kerja) and employees (ASN)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from workflow.db import UTCDateTime, db, only_on, utcnow
from workflow.nip import NIP, parse_nip
from workflow.ranks import EmploymentStatus, rank_level, validate_rank


class Agency(db.Model):
    """An instansi: a ministry, a province or a regency/city government."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100))  # city/regency, or the province itself
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.id")

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"

    def __str__(self) -> str:
        return self.name


class Unit(db.Model):
    """A unit kerja; units form one tree per agency."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("agency_id", "code"),
        # (id, agency_id) is the target of the composite keys that keep a child
        # unit and an employee in the same agency as the unit they point to.
        UniqueConstraint("id", "agency_id", name="uq_units_id_agency"),
        ForeignKeyConstraint(
            ["parent_id", "agency_id"],
            ["units.id", "units.agency_id"],
            name="fk_units_parent_same_agency",
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_units_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    parent_id: Mapped[int | None] = mapped_column()
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], overlaps="agency,units"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

    def __str__(self) -> str:
        return self.name


class Employee(db.Model):
    """An ASN (PNS or PPPK) identified by NIP."""

    __tablename__ = "employees"
    __table_args__ = (
        ForeignKeyConstraint(
            ["unit_id", "agency_id"],
            ["units.id", "units.agency_id"],
            name="fk_employees_unit_same_agency",
        ),
        CheckConstraint("status IN ('PNS', 'PPPK')", name="status"),
        CheckConstraint("supervisor_id IS NULL OR supervisor_id <> id", name="not_own_supervisor"),
        Index("ix_employees_supervisor_id", "supervisor_id"),
        Index("ix_employees_agency_page", "agency_id", "id"),  # an agency's staff in id order
        Index("ix_employees_unit_id", "unit_id"),
        # a name searched anywhere in it (ILIKE '%word%') among millions
        only_on(
            "postgresql",
            Index(
                "ix_employees_name_trgm",
                "name",
                postgresql_using="gin",
                postgresql_ops={"name": "gin_trgm_ops"},
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(4))
    rank: Mapped[str] = mapped_column(String(8))  # golongan/ruang (PNS) or grade (PPPK)
    position: Mapped[str] = mapped_column(String(200))  # jabatan
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int] = mapped_column()
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], overlaps="agency")
    supervisor: Mapped[Employee | None] = relationship(remote_side=[id])

    @validates("nip")
    def _validate_nip(self, _key, value):
        return parse_nip(value).value

    @validates("status")
    def _validate_status(self, _key, value):
        status = EmploymentStatus(value)  # ValueError names the bad value
        if self.rank is not None:
            validate_rank(status, self.rank)
        return status.value

    @validates("rank")
    def _validate_rank(self, _key, value):
        if self.status is not None:
            validate_rank(self.status, value)
        return value

    @property
    def parsed_nip(self) -> NIP:
        return parse_nip(self.nip)

    @property
    def tmt(self) -> date:
        """Start of service (TMT CPNS/PPPK), read from the NIP."""
        return self.parsed_nip.tmt

    @property
    def rank_level(self) -> int:
        return rank_level(self.status, self.rank)

    def __repr__(self) -> str:
        return f"<Employee {self.nip}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"
