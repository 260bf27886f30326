"""The demo's seeder: creates ``alur.demo_data`` through the engine so the audit log is real.

Idempotent and resumable: every row is found by its natural key before it is
created, and a record's path is resumed from the number of steps it already took.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_security import hash_password
from sqlalchemy import select
from sqlalchemy.orm import Session

from alur.demo_data import (
    APPRAISALS,
    DEMO_CLIENTS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_RECEIVER,
    HR_KEYS,
    MENTORINGS,
    NOMINATIONS,
    OTHER_APPRAISALS,
    OTHER_NOMINATIONS,
    PROGRAMS,
    REGIONS,
    TEMPLATE,
    UNITS,
    YEAR,
    Step,
)
from workflow import create, distribution, fire, webhooks
from workflow.db import write_transaction
from workflow.models import (
    ROLE_DESCRIPTIONS,
    Agency,
    DevelopmentBudget,
    Employee,
    Role,
    RoleName,
    Subscription,
    TrainingProgram,
    Unit,
    User,
    WebhookClient,
)
from workflow.models.records import Appraisal, MentoringAssignment, TrainingNomination
from workflow.nip import make_nip


@dataclass
class Login:
    email: str
    roles: str
    who: str


class Seeder:
    """Creates the demo data; ``echo`` reports progress lines."""

    def __init__(self, session: Session, echo: Callable[[str], None] = lambda _m: None):
        self.session = session
        self.echo = echo
        self.created = 0
        self.new_secrets: list[tuple[str, str]] = []  # (what, secret) created by this run
        self._password_hash: str | None = None

    # -- reference data ---------------------------------------------------------------

    def run(self) -> list[Login]:
        self.roles = self._roles()
        admin = self._user(f"admin@{DEMO_DOMAIN}", "Administrator Alur", [RoleName.ADMIN])
        self._user(
            f"ekinerja@{DEMO_DOMAIN}", "e-Kinerja BKN", [RoleName.EXTERNAL_SYSTEM], password=False
        )
        programs = self._programs()
        people: dict[str, dict[str, Employee]] = {}
        users: dict[str, dict[str, User]] = {}
        for index, region in enumerate(REGIONS):
            code = region[0]
            agency = self._agency(region)
            units = self._units(agency)
            people[code] = self._employees(agency, units, region[5], index)
            users[code] = self._accounts(agency, people[code], region[4])
            self._budget(agency)
            self.session.commit()
            self.echo(f"{region[1]}: {len(UNITS)} units, {len(TEMPLATE)} staff with accounts")

        self._webhooks()  # before the records, so the demo receiver hears of their steps
        for index, region in enumerate(REGIONS):
            code = region[0]
            tour = index == 0
            self._records(
                people[code],
                users[code],
                programs,
                NOMINATIONS if tour else OTHER_NOMINATIONS,
                MENTORINGS if tour else [],
                APPRAISALS if tour else OTHER_APPRAISALS,
            )
            self.echo(f"{region[1]}: workflow records ready")
        # The first agency's own rating for the appraisal year, so the distribution page
        # shows the guidance it is held to.
        first = self.session.scalar(select(Agency).where(Agency.code == REGIONS[0][0]))
        distribution.set_rating(
            self.session,
            None,
            agency_id=first.id,
            year=2025,
            period="annual",
            rating="Baik",
            note="Contoh: keputusan kepala instansi",
        )
        return self._logins(admin)

    def _webhooks(self) -> None:
        name, url = DEMO_RECEIVER
        if self.session.scalar(select(Subscription).where(Subscription.name == name)) is None:
            with write_transaction(self.session):
                # The demo's own receiver, on 127.0.0.1 (``make run`` lets the worker reach it).
                row = webhooks.add_subscription(
                    self.session, url, ["*"], name=name, allow_private=True
                )
            self.created += 1
            self.new_secrets.append((f"subscription {name} ({url})", row.secret))
        for client, grants in DEMO_CLIENTS.items():
            if self.session.scalar(select(WebhookClient).where(WebhookClient.name == client)):
                continue
            with write_transaction(self.session):
                row = webhooks.add_client(self.session, client, grants)
            self.created += 2  # the client and its account
            self.new_secrets.append((f"webhook client {client} ({', '.join(grants)})", row.secret))

    def _roles(self) -> dict[RoleName, Role]:
        roles = {}
        for name, description in ROLE_DESCRIPTIONS.items():
            role = self.session.scalar(select(Role).where(Role.name == name))
            if role is None:
                role = self._add(Role(name=name.value, description=description))
            roles[name] = role
        return roles

    def _add(self, row):
        self.session.add(row)
        self.created += 1
        return row

    def _agency(self, region) -> Agency:
        code, name, province, city, _slug, _names = region
        agency = self.session.scalar(select(Agency).where(Agency.code == code))
        if agency is None:
            agency = self._add(Agency(code=code, name=name, province=province, region=city))
            self.session.flush()
        return agency

    def _units(self, agency: Agency) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        for code, name, parent in UNITS:
            unit = self.session.scalar(
                select(Unit).where(Unit.agency_id == agency.id, Unit.code == code)
            )
            if unit is None:
                unit = self._add(
                    Unit(
                        agency_id=agency.id,
                        code=code,
                        name=name,
                        parent_id=units[parent].id if parent else None,
                    )
                )
                self.session.flush()
            units[code] = unit
        return units

    def _employees(self, agency, units, names, index) -> dict[str, Employee]:
        people: dict[str, Employee] = {}
        for n, (key, position, unit, status, rank, sup, born, tmt, gender, _login) in enumerate(
            TEMPLATE
        ):
            nip = make_nip(
                date(born, 1 + (n + index) % 12, 1 + (3 * n + index) % 28),
                tmt,
                1 + (n * 5 + index) % 12,
                gender,
                index * 100 + n + 1,
            )
            employee = self.session.scalar(select(Employee).where(Employee.nip == nip))
            if employee is None:
                employee = self._add(
                    Employee(
                        nip=nip,
                        name=names[n],
                        status=status,
                        rank=rank,
                        position=position,
                        agency_id=agency.id,
                        unit_id=units[unit].id,
                        supervisor_id=people[sup].id if sup else None,
                    )
                )
                self.session.flush()
            people[key] = employee
        return people

    def _accounts(self, agency, people, slug) -> dict[str, User]:
        users: dict[str, User] = {}
        supervisors = {row[5] for row in TEMPLATE if row[5]}
        for key, *_rest, login in TEMPLATE:
            roles = [RoleName.EMPLOYEE]
            if key in supervisors:
                roles.append(RoleName.SUPERVISOR)
            if key in HR_KEYS:
                roles.append(RoleName.HR_OFFICER)
            employee = people[key]
            users[key] = self._user(
                f"{login}.{slug}@{DEMO_DOMAIN}",
                employee.name,
                roles,
                employee=employee,
                agency=agency,
            )
        return users

    def _user(self, email, name, roles, *, employee=None, agency=None, password=True) -> User:
        user = self.session.scalar(select(User).where(User.email == email))
        if user is None:
            if password and self._password_hash is None:
                self._password_hash = hash_password(DEMO_PASSWORD)
            user = self._add(
                User(
                    email=email,
                    name=name,
                    active=True,
                    fs_uniquifier=uuid.uuid4().hex,
                    password=self._password_hash if password else None,
                    employee=employee,
                    agency_id=agency.id if agency else None,
                    roles=[self.roles[r] for r in roles],
                )
            )
        return user

    def _programs(self) -> dict[str, TrainingProgram]:
        programs = {}
        for code, name, form, mode, organiser, jp, start, end, seats, cost in PROGRAMS:
            program = self.session.scalar(
                select(TrainingProgram).where(TrainingProgram.code == code)
            )
            if program is None:
                program = self._add(
                    TrainingProgram(
                        code=code,
                        name=name,
                        form=form,
                        delivery_mode=mode,
                        organiser=organiser,
                        jp=jp,
                        start_date=start,
                        end_date=end,
                        seat_quota=seats,
                        cost_per_participant=cost,
                    )
                )
            programs[code] = program
        self.session.flush()
        return programs

    def _budget(self, agency: Agency) -> None:
        exists = self.session.scalar(
            select(DevelopmentBudget.id).where(
                DevelopmentBudget.agency_id == agency.id, DevelopmentBudget.year == YEAR
            )
        )
        if exists is None:
            self._add(DevelopmentBudget(agency_id=agency.id, year=YEAR, amount=1_500_000_000))

    # -- workflow records -------------------------------------------------------------

    def _records(self, people, users, programs, nominations, mentorings, appraisals) -> None:
        for subject, program, creator, path in nominations:
            key = {"employee_id": people[subject].id, "program_id": programs[program].id}
            record = self._find(TrainingNomination, key) or self._create(
                "training_nomination", users[creator], key
            )
            self._walk(record, path, users, subject)
        for mentor, mentee, start, path in mentorings:
            key = {
                "mentor_id": people[mentor].id,
                "mentee_id": people[mentee].id,
                "start_date": start,
            }
            record = self._find(MentoringAssignment, key) or self._create(
                "mentoring_assignment",
                users["analis"],
                {
                    **key,
                    "end_date": date(start.year, start.month + 3, 1),
                    "jp": 16,
                    "goals": "Penguasaan kurikulum merdeka dan penyusunan modul ajar.",
                },
            )
            self._walk(record, path, users, mentee)
        for subject, year, period, path in appraisals:
            key = {"employee_id": people[subject].id, "year": year, "period": period}
            record = self._find(Appraisal, key) or self._create("appraisal", users[subject], key)
            self._walk(record, path, users, subject)

    def _find(self, model, key: dict):
        return self.session.scalars(select(model).filter_by(**key).order_by(model.id)).first()

    def _create(self, workflow: str, actor: User, data: dict):
        self.created += 1
        return create(self.session, workflow, actor, data, via="cli")

    def _walk(self, record, path: list[Step], users, subject: str) -> None:
        done = record.audit_seq - 1  # the first entry is the creation
        for trigger, actor_key, comment, data in path[done:]:
            actor = users[subject if actor_key == "subject" else actor_key]
            record = fire(record, trigger, actor, via="cli", comment=comment, payload=data)
            self.created += 1

    def _logins(self, admin: User) -> list[Login]:
        palembang = REGIONS[0][4]
        rows = [Login(admin.email, "admin", "Administrator (all agencies)")]
        for login, roles, who in [
            ("hr", "hr_officer", "HR officer, BKPSDM Kota Palembang"),
            ("atasan", "supervisor", "Kepala Bidang, assessor of the teachers"),
            ("kadis", "supervisor", "Kepala Dinas Pendidikan, approves appraisals"),
            ("pegawai", "employee", "Guru Ahli Madya, an employee"),
        ]:
            rows.append(Login(f"{login}.{palembang}@{DEMO_DOMAIN}", roles, who))
        for region in REGIONS[1:]:
            rows.append(
                Login(f"hr.{region[4]}@{DEMO_DOMAIN}", "hr_officer", f"HR officer, {region[1]}")
            )
        return rows
