"""The command line: ``users create`` and ``seed-demo``."""

from __future__ import annotations

import pytest
from flask_security import verify_password
from sqlalchemy import func, select

from workflow.models import (
    Agency,
    Appraisal,
    Employee,
    MentoringAssignment,
    TrainingNomination,
    User,
)
from workflow.workflows import WORKFLOWS

PASSWORD = "Pelayanan-Publik-2026"


def users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


class TestUsersCreate:
    def test_creates_an_account_linked_to_an_employee(self, session, cast, cli):
        head = cast.manager.employee.supervisor  # the one employee without an account
        nip = head.nip
        result = cli(
            "users",
            "create",
            "Guru.Baru@Demo.Alur.id",
            "--role",
            "employee",
            "--role",
            "supervisor",
            "--employee",
            nip,
            "--password-stdin",
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
        assert "created user Guru.Baru@demo.alur.id (employee, supervisor)" in result.output
        user = session.scalars(select(User).filter_by(employee_id=head.id)).one()
        assert user.email == "Guru.Baru@demo.alur.id"
        assert user.role_names == {"employee", "supervisor"}
        assert user.agency_id == cast.agency.id
        assert user.password != PASSWORD and verify_password(PASSWORD, user.password)

    def test_creates_a_standalone_hr_officer_for_an_agency(self, session, cast, cli):
        result = cli(
            "users",
            "create",
            "bkpsdm@maluku.go.id",
            "--role",
            "hr_officer",
            "--agency",
            cast.other_agency.code,
            "--password-stdin",
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
        user = session.scalars(select(User).filter_by(email="bkpsdm@maluku.go.id")).one()
        assert (user.agency_id, user.employee_id) == (cast.other_agency.id, None)

    def test_prompts_for_the_password_twice_without_stdin(self, session, cast, cli):
        result = cli(
            "users",
            "create",
            "admin2@alur.id",
            "--role",
            "admin",
            input=f"{PASSWORD}\n{PASSWORD}\n",
        )
        assert result.exit_code == 0, result.output
        assert "Repeat for confirmation" in result.output

    def test_external_system_without_password(self, session, cast, cli):
        result = cli(
            "users", "create", "siasn@bkn.go.id", "--role", "external_system", "--no-password"
        )
        assert result.exit_code == 0, result.output
        assert (
            session.scalars(select(User.password).filter_by(email="siasn@bkn.go.id")).one() is None
        )

    @pytest.mark.parametrize(
        ("args", "code", "message"),
        [
            (["x@alur.id", "--role", "king"], 2, "Invalid value for '--role'"),
            (["not-an-email", "--role", "admin"], 2, "Alamat email tidak sah"),
            (["x@alur.id", "--role", "employee"], 2, "need --employee NIP"),
            (["x@alur.id", "--role", "hr_officer"], 2, "needs --agency CODE"),
            (
                ["x@alur.id", "--role", "employee", "--employee", "198501012010011001"],
                2,
                "no employee with NIP 198501012010011001",
            ),
            (
                ["x@alur.id", "--role", "hr_officer", "--agency", "NOPE"],
                2,
                "no agency with code NOPE",
            ),
            (["x@alur.id", "--role", "admin", "--password-stdin"], 1, "password refused"),
            (
                ["x@alur.id", "--role", "admin", "--password-stdin", "--no-password"],
                2,
                "exclude each other",
            ),
        ],
    )
    def test_bad_arguments_give_a_clear_message_and_change_nothing(
        self, session, cast, cli, args, code, message
    ):
        before = users(session)
        result = cli("users", "create", *args, input="short\n")
        assert result.exit_code == code, result.output
        assert message in result.output
        assert users(session) == before

    def test_existing_email_or_employee_is_refused(self, session, cast, cli):
        result = cli("users", "create", cast.subject.email, "--role", "admin", "--no-password")
        assert result.exit_code == 1
        assert "already exists" in result.output
        result = cli(
            "users",
            "create",
            "other@alur.id",
            "--role",
            "employee",
            "--employee",
            cast.subject_employee.nip,
            "--no-password",
        )
        assert result.exit_code == 1
        assert "already has an account" in result.output


class TestSeedDemo:
    def test_loads_the_five_regions_with_records_in_every_state(self, session, cli):
        result = cli("seed-demo")
        assert result.exit_code == 0, result.output
        assert "admin@demo.alur.id" in result.output
        assert "password for all: alur-demo-2026" in result.output
        assert session.scalar(select(func.count()).select_from(Agency)) == 5
        provinces = set(session.scalars(select(Agency.province)))
        assert provinces == {"Sumatera Selatan", "Maluku", "Jambi", "Banten", "Gorontalo"}
        for model in (TrainingNomination, MentoringAssignment, Appraisal):
            states = set(session.scalars(select(model.state)))
            assert states == {s.value for s in WORKFLOWS[model.workflow_name].states}, model
        nips = session.scalars(select(Employee.nip)).all()
        assert len(nips) == len(set(nips)) == 60
        assert cli("audit", "verify").exit_code == 0

    def test_running_it_again_changes_nothing(self, session, cli):
        assert cli("seed-demo").exit_code == 0
        counts = [
            session.scalar(select(func.count()).select_from(m))
            for m in (User, Employee, TrainingNomination, MentoringAssignment, Appraisal)
        ]
        session.rollback()
        again = cli("seed-demo")
        assert again.exit_code == 0, again.output
        assert "0 rows created" in again.output
        assert "Pemerintah Provinsi Maluku: workflow records ready" in again.output
        assert counts == [
            session.scalar(select(func.count()).select_from(m))
            for m in (User, Employee, TrainingNomination, MentoringAssignment, Appraisal)
        ]

    def test_demo_logins_can_act_on_their_inbox(self, session, cli):
        from workflow import inbox

        assert cli("seed-demo").exit_code == 0
        supervisor = session.scalars(
            select(User).filter_by(email="atasan.palembang@demo.alur.id")
        ).one()
        assert inbox(session, supervisor), "the demo supervisor has work waiting"


@pytest.mark.parametrize(
    "command",
    [
        ("webhooks", "disable", "99999999999999999999999"),
        ("webhooks", "enable", "0"),
        ("outbox", "redeliver", "1", "0"),
        ("outbox", "redeliver", "--dead", "--subscription", "2147483648"),
        ("delegations", "revoke", "99999999999999999999999"),
        ("tokens", "revoke", "99999999999999999999999"),
    ],
)
def test_an_id_no_row_could_have_is_a_bad_argument_not_a_traceback(session, cli, command):
    result = cli(*command)
    assert result.exit_code == 2, result.output
    assert "is not in the range 1<=x<=2147483647" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
