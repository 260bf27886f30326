"""The JP ledger: the 20 JP yearly right to competency development.

Every ASN has the right to at least 20 JP (jam pelajaran) of competency
development a year (PP 17/2020 art. 203; Peraturan LAN 10/2018). A completed
training nomination credits its program's JP, a completed mentoring
assignment its own, to the employee's ledger for the year the activity ended,
once per record: the ledger's ``UNIQUE(source, source_id)`` makes a replay a
no-op. The report lists who is below the right, per agency and unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from workflow.db import insert_once
from workflow.models.org import Employee, Unit
from workflow.models.programs import JpLedgerEntry, TrainingProgram

YEARLY_RIGHT = 20  # JP


def credit(
    session: Session,
    *,
    employee_id: int,
    year: int,
    jp: int,
    source: str,
    source_id: int,
    note: str | None = None,
) -> bool:
    """Credit ``jp`` once per (source, source_id); return whether it was new."""
    values = {
        "employee_id": employee_id,
        "year": year,
        "jp": jp,
        "source": source,
        "source_id": source_id,
        "note": note,
    }
    return insert_once(session, JpLedgerEntry, values, unique=["source", "source_id"]) is not None


def credit_training(ctx) -> None:
    """Effect of a nomination's ``complete``: the program's JP, in the year it ended."""
    program = ctx.session.get(TrainingProgram, ctx.record.program_id)
    credit(
        ctx.session,
        employee_id=ctx.record.employee_id,
        year=program.end_date.year,
        jp=program.jp,
        source="training_nomination",
        source_id=ctx.record.id,
        note=f"{program.code}: {program.name}",
    )


def credit_mentoring(ctx) -> None:
    """Effect of a mentoring's ``complete``: its JP to the mentee, in the year it ended."""
    record = ctx.record
    credit(
        ctx.session,
        employee_id=record.mentee_id,
        year=record.end_date.year,
        jp=record.jp,
        source="mentoring_assignment",
        source_id=record.id,
        note="mentoring/coaching",
    )


@dataclass(frozen=True)
class Below:
    employee_id: int
    nip: str
    name: str
    unit_id: int
    jp: int


@dataclass(frozen=True)
class UnitTotal:
    unit_id: int
    unit: str
    employees: int
    below: int
    jp: int


@dataclass(frozen=True)
class UnitCoverage:
    unit_id: int
    unit: str
    employees: int
    covered: int  # at or above the threshold

    @property
    def share(self) -> float:
        return self.covered / self.employees if self.employees else 0.0


def _per_employee(year: int, agency_id: int, unit_id: int | None):
    """Each employee of the agency (or unit) with the JP credited for ``year``."""
    stmt = (
        select(
            Employee.id,
            Employee.nip,
            Employee.name,
            Employee.unit_id,
            func.coalesce(func.sum(JpLedgerEntry.jp), 0).label("jp"),
        )
        .outerjoin(
            JpLedgerEntry,
            and_(JpLedgerEntry.employee_id == Employee.id, JpLedgerEntry.year == year),
        )
        .where(Employee.agency_id == agency_id)
        .group_by(Employee.id, Employee.nip, Employee.name, Employee.unit_id)
    )
    if unit_id is not None:
        stmt = stmt.where(Employee.unit_id == unit_id)
    return stmt


def below(
    session: Session,
    *,
    year: int,
    agency_id: int,
    unit_id: int | None = None,
    threshold: int = YEARLY_RIGHT,
    limit: int = 100,
    after: int | None = None,
) -> list[Below]:
    """Employees with fewer than ``threshold`` JP in ``year``, in id order (keyset pages)."""
    stmt = _per_employee(year, agency_id, unit_id)
    if after is not None:
        stmt = stmt.where(Employee.id > after)
    total = func.coalesce(func.sum(JpLedgerEntry.jp), 0)
    stmt = stmt.having(total < threshold).order_by(Employee.id).limit(limit)
    return [Below(*row) for row in session.execute(stmt)]


def totals(
    session: Session,
    *,
    year: int,
    agency_id: int,
    unit_id: int | None = None,
    threshold: int = YEARLY_RIGHT,
) -> list[UnitTotal]:
    """Per unit: employees, how many are below ``threshold``, and the JP credited."""
    people = _per_employee(year, agency_id, unit_id).subquery()
    stmt = (
        select(
            people.c.unit_id,
            Unit.name,
            func.count(),
            func.sum(case((people.c.jp < threshold, 1), else_=0)),
            func.sum(people.c.jp),
        )
        .join(Unit, Unit.id == people.c.unit_id)
        .group_by(people.c.unit_id, Unit.name)
        .order_by(Unit.name)
    )
    return [UnitTotal(u, n, int(e), int(b), int(j)) for u, n, e, b, j in session.execute(stmt)]


def coverage(
    session: Session, *, year: int, agency_id: int, threshold: int = YEARLY_RIGHT
) -> list[UnitCoverage]:
    """Per unit: employees, and how many have at least ``threshold`` JP in ``year``.

    The report's per-unit totals, counted from the other side (at or above, not below):
    one grouped query in the database, whatever the agency's size.
    """
    return [
        UnitCoverage(t.unit_id, t.unit, t.employees, t.employees - t.below)
        for t in totals(session, year=year, agency_id=agency_id, threshold=threshold)
    ]
