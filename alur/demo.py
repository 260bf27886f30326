"""Demo data: five regions, their agencies, units, staff and programs, and records
in every state of every workflow, created through the engine so the audit log is real.

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

from workflow import create, distribution, fire, webhooks
from workflow.db import write_transaction
from workflow.models import (
    ROLE_DESCRIPTIONS,
    Agency,
    Appraisal,
    DevelopmentBudget,
    Employee,
    MentoringAssignment,
    Role,
    RoleName,
    Subscription,
    TrainingNomination,
    TrainingProgram,
    Unit,
    User,
    WebhookClient,
)
from workflow.nip import make_nip

DEMO_PASSWORD = "alur-demo-2026"
# The demo's subscriber (``flask webhooks demo-receiver``) and its webhook clients.
DEMO_RECEIVER = ("demo-receiver", "http://127.0.0.1:5001/events")
DEMO_CLIENTS = {
    "ekinerja": ["appraisal.submit"],  # e-Kinerja submits the self-assessment
    "lms": ["training_nomination.complete"],  # the learning platform reports completion
}
DEMO_DOMAIN = "demo.alur.id"
YEAR = 2026

# (code, agency name, province, region, email slug, staff names in TEMPLATE order)
REGIONS = [
    ("PLG", "Pemerintah Kota Palembang", "Sumatera Selatan", "Kota Palembang", "palembang", [
        "Ratu Dewa", "Ahmad Fauzi", "Siti Aisyah", "Rahmat Hidayat", "Yanti Kusuma",
        "Muhammad Ridwan", "Nurhayati", "Dedi Kurniawan", "Sri Wahyuni", "Andi Saputra",
        "Fitri Handayani", "Rina Marlina",
    ]),
    ("MLK", "Pemerintah Provinsi Maluku", "Maluku", "Kota Ambon", "maluku", [
        "Sadali Ie", "Johanis Latuheru", "Maria Tuhumury", "Frans Pattiasina", "Elsye Sahetapy",
        "Ronald Manuhutu", "Yohana Leiwakabessy", "Hendrik Latumahina", "Agustina Pattipeilohy",
        "Samuel Siahaya", "Ferdinand Wattimena", "Novita Sopacua",
    ]),
    ("JMB", "Pemerintah Provinsi Jambi", "Jambi", "Kota Jambi", "jambi", [
        "Sudirman", "Hasanudin", "Rosmawati", "Zulkifli", "Nurjanah", "Syamsul Bahri",
        "Herlina", "Ilham Akbar", "Dewi Sartika", "Fajar Ramadhan", "Mardiana", "Yusnaini",
    ]),
    ("SRG", "Pemerintah Kota Serang", "Banten", "Kota Serang", "serang", [
        "Nanang Saefudin", "Tubagus Hendra", "Ratu Nurlaela", "Entis Sutisna", "Iis Sumiati",
        "Asep Saepudin", "Euis Komariah", "Dadang Suherman", "Neng Siti", "Ujang Kurnia",
        "Yayan Sopyan", "Lilis Suryani",
    ]),
    ("GTO", "Pemerintah Provinsi Gorontalo", "Gorontalo", "Kota Gorontalo", "gorontalo", [
        "Sofian Ibrahim", "Hasan Pakaya", "Fatma Lamusu", "Rustam Hulukati", "Nurain Daud",
        "Ismail Pateda", "Sarce Bilondatu", "Yusuf Mooduto", "Asna Tangahu", "Rizal Gobel",
        "Nining Mohamad", "Sri Yulan Dunggio",
    ]),
]  # fmt: skip

# (unit code, name, parent code)
UNITS = [
    ("SETDA", "Sekretariat Daerah", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "SETDA"),
    ("BKPSDM-PK", "Bidang Pengembangan Kompetensi Aparatur", "BKPSDM"),
    ("DISDIK", "Dinas Pendidikan", "SETDA"),
    ("DISDIK-GTK", "Bidang Pembinaan Guru dan Tenaga Kependidikan", "DISDIK"),
    ("DINKES", "Dinas Kesehatan", "SETDA"),
]

# (key, position, unit, status, rank, supervisor key, birth year, TMT year, gender, login)
TEMPLATE = [
    ("sekda", "Sekretaris Daerah", "SETDA", "PNS", "IV/d", None, 1968, 1993, "M", "sekda"),
    ("kabkpsdm", "Kepala BKPSDM", "BKPSDM", "PNS", "IV/c", "sekda", 1970, 1996, "M", "kabkpsdm"),
    ("kabidpk", "Kepala Bidang Pengembangan Kompetensi Aparatur", "BKPSDM-PK", "PNS", "IV/a",
     "kabkpsdm", 1975, 2000, "F", "kabidpk"),
    ("analis", "Analis SDM Aparatur Ahli Muda", "BKPSDM-PK", "PNS", "III/d", "kabidpk", 1982,
     2008, "M", "hr"),
    ("kadisdik", "Kepala Dinas Pendidikan", "DISDIK", "PNS", "IV/c", "sekda", 1971, 1997, "F",
     "kadis"),
    ("kabidguru", "Kepala Bidang Pembinaan Guru dan Tenaga Kependidikan", "DISDIK-GTK", "PNS",
     "IV/a", "kadisdik", 1976, 2001, "M", "atasan"),
    ("guru1", "Guru Ahli Madya", "DISDIK-GTK", "PNS", "III/d", "kabidguru", 1980, 2006, "F",
     "pegawai"),
    ("guru2", "Guru Ahli Muda", "DISDIK-GTK", "PNS", "III/c", "kabidguru", 1986, 2011, "M",
     "guru2"),
    ("guru3", "Guru Ahli Pertama", "DISDIK-GTK", "PNS", "III/a", "kabidguru", 1994, 2019, "F",
     "guru3"),
    ("guru4", "Guru Ahli Pertama", "DISDIK-GTK", "PPPK", "IX", "kabidguru", 1995, 2022, "M",
     "guru4"),
    ("kadinkes", "Kepala Dinas Kesehatan", "DINKES", "PNS", "IV/c", "sekda", 1972, 1998, "M",
     "kadinkes"),
    ("perawat", "Perawat Ahli Pertama", "DINKES", "PPPK", "IX", "kadinkes", 1996, 2023, "F",
     "perawat"),
]  # fmt: skip
HR_KEYS = {"analis"}

# (code, name, form, delivery mode, organiser, JP, start, end, seats, cost in rupiah)
PROGRAMS = [
    ("PMG-2026", "Pelatihan Manajemen Pemerintahan", "pelatihan", "tatap_muka",
     "BPSDM Provinsi Sumatera Selatan", 40, date(2026, 3, 2), date(2026, 3, 13), 30, 7_500_000),
    ("PPP-2026", "Pelatihan Pelayanan Publik", "pelatihan", "blended",
     "BPSDM Provinsi Maluku", 32, date(2026, 4, 6), date(2026, 4, 17), 40, 5_000_000),
    ("PMK-2026", "Pelatihan Manajemen Keuangan", "pelatihan", "daring",
     "BPSDM Provinsi Jambi", 24, date(2026, 5, 4), date(2026, 5, 8), 50, 3_000_000),
    ("PMA-2026", "Pelatihan Manajemen Administrasi", "bimtek", "tatap_muka",
     "BPSDM Provinsi Banten", 24, date(2026, 6, 8), date(2026, 6, 12), 35, 3_500_000),
    ("ASN-INT-2026", "ASN Berintegritas", "e_learning", "daring",
     "Anti-Corruption Learning Center KPK", 20, date(2026, 2, 1), date(2026, 12, 31), 500, 0),
    ("MAGANG-EDU-2026", "Magang di Institusi Pendidikan", "magang", "tatap_muka",
     "Universitas Negeri Gorontalo", 40, date(2026, 7, 1), date(2026, 7, 31), 20, 4_000_000),
    ("MENTOR-2026", "Mentoring Senior ke Junior", "mentoring", "blended",
     "BKPSDM setempat", 16, date(2026, 1, 5), date(2026, 12, 18), 100, 0),
]  # fmt: skip

RATINGS_GOOD = {
    "work_result_rating": "di_atas_ekspektasi",
    "behaviour_rating": "di_atas_ekspektasi",
    "feedback": "Capaian kinerja melampaui target; pertahankan dan bagikan praktik baik.",
    "behaviour_feedback": {
        "berorientasi_pelayanan": "Respons cepat atas permintaan data dari unit lain.",
        "kolaboratif": "Memimpin berbagi praktik baik di tim.",
    },
}
RATINGS_OK = {
    "work_result_rating": "sesuai_ekspektasi",
    "behaviour_rating": "sesuai_ekspektasi",
    "feedback": "Kinerja sesuai ekspektasi; tingkatkan dokumentasi bukti dukung.",
}
SELF = {"self_assessment": "Seluruh rencana hasil kerja tercapai sesuai target."}

# A step: (trigger, actor key, comment, data).
Step = tuple[str, str, str | None, dict | None]


def _s(trigger, actor, comment=None, data=None) -> Step:
    return (trigger, actor, comment, data)


SUBMIT_T, REVIEW_T = _s("submit", "subject"), _s("review", "kabidguru")
APPROVE_T = _s("approve", "analis")
# Training nominations: (subject, program, creator, path); every state appears.
NOMINATIONS = [
    ("guru1", "PMG-2026", "guru1", []),
    ("guru1", "PPP-2026", "guru1", [SUBMIT_T]),
    ("guru2", "PMG-2026", "guru2", [SUBMIT_T, REVIEW_T]),
    ("guru1", "PMA-2026", "guru1", [SUBMIT_T, REVIEW_T, APPROVE_T]),
    ("guru3", "PMK-2026", "analis", [_s("submit", "analis"), REVIEW_T, APPROVE_T,
                                     _s("complete", "analis")]),
    ("guru3", "ASN-INT-2026", "guru3", [SUBMIT_T, _s("return", "kabidguru",
                                        "Lengkapi alasan pengusulan dan rencana penerapan.")]),
    ("guru4", "MAGANG-EDU-2026", "guru4", [SUBMIT_T, _s("reject", "kabidguru",
                                           "Kuota magang tahun ini diprioritaskan untuk PNS.")]),
    ("guru4", "PMA-2026", "guru4", [SUBMIT_T, _s("withdraw", "subject", "Bentrok jadwal.")]),
]  # fmt: skip

MSUBMIT = _s("submit", "analis")
COACHING_DONE = {"coaching_feedback": "Modul ajar diferensiasi tersusun dan diuji di kelas.",
                 "competency_score": 4}  # fmt: skip
# Mentoring: (mentor, mentee, start, path); the mentor is senior to the mentee.
MENTORINGS = [
    ("guru1", "guru3", date(2026, 1, 5), []),
    ("guru1", "guru4", date(2026, 1, 12), [_s("submit", "kabidguru")]),
    ("kabidguru", "guru3", date(2026, 1, 19), [MSUBMIT, _s("review", "kabidguru")]),
    ("kabidguru", "guru4", date(2026, 1, 26), [MSUBMIT, _s("review", "kabidguru"),
                                               _s("approve", "analis")]),
    ("guru1", "guru2", date(2026, 2, 2), [MSUBMIT, _s("review", "guru1"), _s("approve", "analis"),
                                          _s("start", "guru1")]),
    ("guru2", "guru3", date(2026, 2, 9), [MSUBMIT, _s("review", "guru2"), _s("approve", "analis"),
                                          _s("start", "guru2"),
                                          _s("complete", "guru2", None, COACHING_DONE)]),
    ("guru2", "guru4", date(2026, 2, 16), [MSUBMIT, _s("return", "guru2",
                                           "Jadwal mentoring bentrok dengan tugas mengajar.")]),
    ("guru1", "guru3", date(2026, 2, 23), [MSUBMIT, _s("reject", "guru1",
                                           "Mentee sudah dibimbing pada periode yang sama.")]),
    ("kabidguru", "guru2", date(2026, 3, 2), [MSUBMIT, _s("withdraw", "analis",
                                              "Diganti dengan pelatihan klasikal.")]),
]  # fmt: skip

ASUBMIT = _s("submit", "subject", None, SELF)
# Appraisals: (subject, year, period, path); assessor and approver from the chain.
APPRAISALS = [
    ("guru1", 2025, "annual", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_GOOD),
                               _s("approve", "kadisdik")]),
    ("guru2", 2025, "annual", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_OK)]),
    ("guru3", 2025, "annual", [ASUBMIT]),
    ("guru4", 2025, "annual", [ASUBMIT, _s("return", "kabidguru",
                                           "Lengkapi bukti dukung capaian triwulan IV.")]),
    ("guru1", 2026, "Q1", []),
    ("guru2", 2026, "Q1", [ASUBMIT, _s("reject", "kabidguru",
                                       "Periode penilaian keliru; buat ulang untuk Q2.")]),
    ("guru3", 2026, "Q1", [_s("withdraw", "subject", "Dibuat ganda.")]),
    # A keberatan (objection) waiting for the assessor's superior.
    ("guru4", 2026, "Q1", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_OK),
                           _s("approve", "kadisdik"),
                           _s("appeal", "subject", "Capaian Q1 melampaui target.")]),
]  # fmt: skip
# In the other regions, a few records so every supervisor has something waiting.
OTHER_APPRAISALS = [
    ("guru1", 2025, "annual", [ASUBMIT]),
    ("guru2", 2025, "annual", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_OK)]),
]
OTHER_NOMINATIONS = [("guru3", "PPP-2026", "guru3", [SUBMIT_T])]


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
        self._user(f"ekinerja@{DEMO_DOMAIN}", "e-Kinerja BKN", [RoleName.EXTERNAL_SYSTEM],
                   password=False)  # fmt: skip
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
            self.echo(f"{region[3]}: {len(UNITS)} units, {len(TEMPLATE)} staff with accounts")

        self._webhooks()  # before the records, so the demo receiver hears of their steps
        for index, region in enumerate(REGIONS):
            code = region[0]
            tour = index == 0
            self._records(
                people[code], users[code], programs,
                NOMINATIONS if tour else OTHER_NOMINATIONS,
                MENTORINGS if tour else [],
                APPRAISALS if tour else OTHER_APPRAISALS,
            )  # fmt: skip
            self.echo(f"{region[3]}: workflow records ready")
        # The first agency's own rating for the appraisal year, so the distribution page
        # shows the guidance it is held to.
        first = self.session.scalar(select(Agency).where(Agency.code == REGIONS[0][0]))
        distribution.set_rating(self.session, None, agency_id=first.id, year=2025,
                                period="annual", rating="Baik",
                                note="Contoh: keputusan kepala instansi")  # fmt: skip
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
                    Unit(agency_id=agency.id, code=code, name=name,
                         parent_id=units[parent].id if parent else None)
                )  # fmt: skip
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
                tmt, 1 + (n * 5 + index) % 12, gender, index * 100 + n + 1,
            )  # fmt: skip
            employee = self.session.scalar(select(Employee).where(Employee.nip == nip))
            if employee is None:
                employee = self._add(
                    Employee(
                        nip=nip, name=names[n], status=status, rank=rank, position=position,
                        agency_id=agency.id, unit_id=units[unit].id,
                        supervisor_id=people[sup].id if sup else None,
                    )
                )  # fmt: skip
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
                f"{login}.{slug}@{DEMO_DOMAIN}", employee.name, roles,
                employee=employee, agency=agency,
            )  # fmt: skip
        return users

    def _user(self, email, name, roles, *, employee=None, agency=None, password=True) -> User:
        user = self.session.scalar(select(User).where(User.email == email))
        if user is None:
            if password and self._password_hash is None:
                self._password_hash = hash_password(DEMO_PASSWORD)
            user = self._add(
                User(
                    email=email, name=name, active=True, fs_uniquifier=uuid.uuid4().hex,
                    password=self._password_hash if password else None,
                    employee=employee, agency_id=agency.id if agency else None,
                    roles=[self.roles[r] for r in roles],
                )
            )  # fmt: skip
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
                        code=code, name=name, form=form, delivery_mode=mode, organiser=organiser,
                        jp=jp, start_date=start, end_date=end, seat_quota=seats,
                        cost_per_participant=cost,
                    )
                )  # fmt: skip
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
            key = {"mentor_id": people[mentor].id, "mentee_id": people[mentee].id,
                   "start_date": start}  # fmt: skip
            record = self._find(MentoringAssignment, key) or self._create(
                "mentoring_assignment", users["analis"],
                {**key, "end_date": date(start.year, start.month + 3, 1), "jp": 16,
                 "goals": "Penguasaan kurikulum merdeka dan penyusunan modul ajar."},
            )  # fmt: skip
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
            rows.append(Login(f"hr.{region[4]}@{DEMO_DOMAIN}", "hr_officer",
                              f"HR officer, {region[1]}"))  # fmt: skip
        return rows
