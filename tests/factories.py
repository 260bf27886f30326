"""Factories for tests: an agency with a supervisor chain and an account for every role."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from workflow import Step, create, take_many
from workflow.bulk import BATCH
from workflow.models import (
    Agency,
    DevelopmentBudget,
    Employee,
    Role,
    RoleName,
    TrainingProgram,
    Unit,
    User,
)
from workflow.nip import make_nip

# Everyone a cast holds, by the attribute that holds them.
PERSONAS = (
    "subject",
    "supervisor",
    "manager",
    "colleague",
    "mentor",
    "hr",
    "hr_other",
    "admin",
    "external",
)
_sequence = itertools.count(1)


def fire_many(session, workflow: str, items: list[dict], actor, *, via: str, batch: int = BATCH):
    """Items as the bulk API's body gives them (dicts), taken as steps."""
    many = [
        Step(
            workflow,
            i["id"],
            i["trigger"],
            actor,
            via,
            i.get("comment"),
            i.get("data"),
            i.get("version"),
        )
        for i in items
    ]
    return take_many(session, many, batch=batch)


def agency(session, code: str | None = None) -> Agency:
    n = next(_sequence)
    row = Agency(
        code=code or f"AG{n}", name=f"Pemerintah Daerah {n}", province="Maluku", region="Ambon"
    )
    session.add(row)
    session.flush()
    return row


def unit(session, agency: Agency, parent: Unit | None = None, code: str | None = None) -> Unit:
    row = Unit(
        agency_id=agency.id,
        parent_id=parent.id if parent else None,
        code=code or f"U{next(_sequence)}",
        name="Unit Kerja",
    )
    session.add(row)
    session.flush()
    return row


def employee(
    session,
    unit: Unit,
    *,
    supervisor: Employee | None = None,
    status: str = "PNS",
    rank: str = "III/a",
    name: str | None = None,
    tmt_year: int = 2015,
) -> Employee:
    n = next(_sequence)
    row = Employee(
        nip=make_nip(date(1985, 1 + n % 12, 1 + n % 28), tmt_year, 1 + n % 12, "F", n % 999 + 1),
        name=name or f"Pegawai {n}",
        status=status,
        rank=rank,
        position="Analis",
        agency_id=unit.agency_id,
        unit_id=unit.id,
        supervisor_id=supervisor.id if supervisor else None,
    )
    session.add(row)
    session.flush()
    return row


def user(
    session,
    *roles: RoleName,
    employee: Employee | None = None,
    agency: Agency | None = None,
    active: bool = True,
) -> User:
    role_rows = session.scalars(select(Role).where(Role.name.in_([r.value for r in roles]))).all()
    assert len(role_rows) == len(roles), "roles come from the migration"
    row = User(
        email=f"user{next(_sequence)}@test.alur.id",
        name="Test user",
        active=active,
        fs_uniquifier=uuid.uuid4().hex,
        employee=employee,
        agency_id=agency.id if agency else (employee.agency_id if employee else None),
        roles=list(role_rows),
    )
    session.add(row)
    session.flush()
    return row


def program(session, *, seats: int = 10, cost: int = 1_000_000) -> TrainingProgram:
    row = TrainingProgram(
        code=f"P{next(_sequence)}",
        name="Pelatihan Pelayanan Publik",
        form="pelatihan",
        delivery_mode="daring",
        organiser="BPSDM",
        jp=24,
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 5),
        seat_quota=seats,
        cost_per_participant=cost,
    )
    session.add(row)
    session.flush()
    return row


def budget(session, agency: Agency, *, year: int = 2026, amount: int = 10_000_000_000):
    row = DevelopmentBudget(agency_id=agency.id, year=year, amount=amount, committed=0)
    session.add(row)
    session.flush()
    return row


@dataclass
class Cast:
    """Everyone around one employee (the subject), each with an account.

    head → manager → supervisor → subject; colleague is the subject's peer;
    mentor is a senior peer; hr works in the same agency, hr_other in another.
    """

    agency: Agency
    other_agency: Agency
    subject_employee: Employee
    subject: User
    supervisor: User  # atasan langsung; the appraisal's assessor
    manager: User  # the supervisor's supervisor; the appraisal's approver
    colleague: User
    mentor: User
    hr: User
    hr_other: User
    admin: User
    external: User
    program: TrainingProgram

    def personas(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in PERSONAS}


def cast(session) -> Cast:
    """Build and commit a Cast."""
    home, away = agency(session), agency(session)
    budget(session, home)
    budget(session, away)
    root = unit(session, home)
    team = unit(session, home, parent=root)
    head = employee(session, root, rank="IV/c")
    manager = employee(session, root, supervisor=head, rank="IV/a")
    supervisor = employee(session, team, supervisor=manager, rank="III/d")
    subject = employee(session, team, supervisor=supervisor, rank="III/a", tmt_year=2020)
    colleague = employee(session, team, supervisor=supervisor, rank="III/a")
    mentor = employee(session, team, supervisor=supervisor, rank="III/c", tmt_year=2010)
    hr_employee = employee(session, root, supervisor=head, rank="III/c")
    away_root = unit(session, away)
    hr_away = employee(session, away_root, rank="III/c")
    E, S, H = RoleName.EMPLOYEE, RoleName.SUPERVISOR, RoleName.HR_OFFICER
    result = Cast(
        agency=home,
        other_agency=away,
        subject_employee=subject,
        subject=user(session, E, employee=subject),
        supervisor=user(session, E, S, employee=supervisor),
        manager=user(session, E, S, employee=manager),
        colleague=user(session, E, employee=colleague),
        mentor=user(session, E, employee=mentor),
        hr=user(session, E, H, employee=hr_employee),
        hr_other=user(session, E, H, employee=hr_away),
        admin=user(session, RoleName.ADMIN),
        external=user(session, RoleName.EXTERNAL_SYSTEM),
        program=program(session),
    )
    session.commit()
    return result


def new_record(session, c: Cast, workflow: str, **overrides):
    """A draft record of ``workflow`` about ``c.subject``, created by the system."""
    data = {
        "training_nomination": lambda: {
            "employee_id": c.subject_employee.id,
            "program_id": c.program.id,
        },
        "mentoring_assignment": lambda: {
            "mentor_id": c.mentor.employee_id,
            "mentee_id": c.subject_employee.id,
            "goals": "Menyusun modul ajar",
            "start_date": date(2026, 1, 5),
            "end_date": date(2026, 4, 5),
            "jp": 16,
        },
        "appraisal": lambda: {"employee_id": c.subject_employee.id, "year": 2025},
        "skp_plan": lambda: {
            "employee_id": c.subject_employee.id,
            "year": overrides.get("year", PLAN_YEAR),
            "items": [
                rhk(
                    "Laporan layanan",
                    cites=chain_rhk(session, c, overrides.get("year", PLAN_YEAR)),
                )
            ],
        },
    }[workflow]()
    data.update(overrides)
    return create(session, workflow, None, data, via="system")


PLAN_YEAR = 2026


def submitted_by_staff(session, c: Cast, workflow: str, count: int) -> list:
    """``count`` submitted records of ``workflow``, each about a new employee whom
    ``c.supervisor`` supervises (in a unit of their own)."""
    from tests.workflow_paths import bring_to

    staff_unit = unit(session, c.agency)
    staff = [employee(session, staff_unit, supervisor=c.supervisor.employee) for _ in range(count)]
    session.commit()
    return [
        bring_to(new_record(session, c, workflow, employee_id=e.id), "submitted") for e in staff
    ]


def rhk(text: str, *, cites: int | None = None, target: str | None = None, **extra) -> dict:
    """An RHK as the API takes it: main, citing ``cites`` (or an agency ``target``), with
    one indicator of each of quantity and time."""
    item = {
        "kind": "utama",
        "text": text,
        "indicators": [
            {"aspect": "kuantitas", "indicator": f"Jumlah {text.lower()}", "target": "12 dokumen"},
            {"aspect": "waktu", "indicator": "Tepat waktu", "target": "12 bulan"},
        ],
    }
    if cites is not None:
        item["parent_id"] = cites
    if target is not None:
        item["agency_target"] = target
    return item | extra


def agreed_plan(session, employee_id: int, items: list[dict], *, year: int = PLAN_YEAR):
    """A plan of ``employee_id`` made and agreed as the system (an admin for the PPK)."""
    from workflow import fire

    plan = create(
        session,
        "skp_plan",
        None,
        {"employee_id": employee_id, "year": year, "items": items},
        via="system",
    )
    plan = fire(plan, "submit", None, via="system")
    return fire(plan, "approve", None, via="system")


def chain_rhk(session, c: Cast, year: int = PLAN_YEAR) -> int:
    """The id of an RHK of the subject's supervisor's agreed plan, agreeing the plans of
    the chain above (head, manager, supervisor) first if they are not yet."""
    from workflow.models import RhkItem, SkpPlan

    def agreed(employee_id):
        return session.scalar(
            select(RhkItem.id)
            .join(SkpPlan, RhkItem.plan_id == SkpPlan.id)
            .where(
                SkpPlan.employee_id == employee_id,
                SkpPlan.year == year,
                SkpPlan.state == "approved",
            )
            .order_by(RhkItem.id)
            .limit(1)
        )

    found = agreed(c.supervisor.employee_id)
    if found is not None:
        return found
    manager = session.get(Employee, c.manager.employee_id)
    head_rhk = agreed(manager.supervisor_id)
    if head_rhk is None:
        head = agreed_plan(
            session,
            manager.supervisor_id,
            [rhk("Indeks pelayanan publik", target="IKM instansi 90")],
            year=year,
        )
        head_rhk = head.items[0].id
    mine = agreed(manager.id)
    if mine is None:
        mine = (
            agreed_plan(session, manager.id, [rhk("Layanan bidang", cites=head_rhk)], year=year)
            .items[0]
            .id
        )
    return (
        agreed_plan(
            session, c.supervisor.employee_id, [rhk("Layanan seksi", cites=mine)], year=year
        )
        .items[0]
        .id
    )


def audit_chain(session, record) -> list:
    """``record``'s audit entries, in order, as the database holds them now."""
    from workflow.models import AuditEntry

    session.expire_all()
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workflow == record.workflow_name, AuditEntry.record_id == record.id)
        .order_by(AuditEntry.seq)
    ).all()


def acting_official(session, c: Cast, *, since: int = 1, until: int = 1, kind: str = "Plh"):
    """A deputy (with an account) made Plt/Plh of the subject's supervisor by the agency's HR
    officer, from ``since`` days ago to ``until`` days ahead; (the account, the delegation)."""
    from workflow import delegation
    from workflow.db import local_today

    deputy = employee(session, c.subject_employee.unit, rank="III/d")
    account = user(session, RoleName.EMPLOYEE, employee=deputy)
    session.commit()
    row = delegation.delegate(
        session,
        c.hr,
        principal_id=c.supervisor.employee_id,
        delegate_id=deputy.id,
        starts_on=local_today() - timedelta(days=since),
        ends_on=local_today() + timedelta(days=until),
        kind=kind,
    )
    return account, row
