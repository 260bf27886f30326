"""``flask users``: create user accounts."""

from __future__ import annotations

import sys
import uuid

import click
from flask.cli import with_appcontext
from flask_security import hash_password
from sqlalchemy import select

from alur.cli.common import one, repeated
from alur.extensions import security
from workflow import WorkflowError, changes
from workflow.db import db
from workflow.models import Agency, Employee, Role, RoleName, User

ROLE_CHOICE = click.Choice([r.value for r in RoleName])
NEEDS_EMPLOYEE = {RoleName.SUPERVISOR, RoleName.EMPLOYEE}


@click.group()
def users():
    """Manage user accounts."""


@users.command("create")
@click.argument("email")
@repeated("--role", "roles", "Role of the account; repeat for several.", type=ROLE_CHOICE)
@click.option("--employee", "nip", help="NIP of the employee this account belongs to.")
@click.option(
    "--agency",
    "agency_code",
    help="Agency code, for HR officers and external systems without an employee.",
)
@click.option("--name", default=None, help="Display name (default: the employee's name).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
@click.option(
    "--no-password",
    is_flag=True,
    help="No password: an account that only uses API tokens (external systems).",
)
@with_appcontext
def create_user(email, roles, nip, agency_code, name, password_stdin, no_password):
    """Create the account EMAIL with the given roles."""
    session = db.session
    try:
        email = security.mail_util.validate(email)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"a user with email {email} already exists")

    employee = None
    if nip:
        employee = one(Employee, Employee.nip, nip, f"employee with NIP {nip}", "--employee")
        if session.scalar(select(User.id).where(User.employee_id == employee.id)) is not None:
            raise click.ClickException(f"employee {nip} already has an account")
    agency = None
    if agency_code:
        agency = one(
            Agency, Agency.code, agency_code, f"agency with code {agency_code}", "--agency"
        )
        if employee is not None and employee.agency_id != agency.id:
            raise click.BadParameter(
                f"employee {nip} works for another agency", param_hint="--agency"
            )
    roles = {RoleName(r) for r in roles}
    if roles & NEEDS_EMPLOYEE and employee is None:
        raise click.UsageError("the supervisor and employee roles need --employee NIP")
    if RoleName.HR_OFFICER in roles and employee is None and agency is None:
        raise click.UsageError("an HR officer needs --agency CODE or --employee NIP")
    if no_password and password_stdin:
        raise click.UsageError("--no-password and --password-stdin exclude each other")

    password = None if no_password else _read_password(password_stdin)
    if password is not None:
        problems, password = security.password_util.validate(password, is_register=True)
        if problems:
            raise click.ClickException("password refused: " + " ".join(problems))

    role_rows = session.scalars(select(Role).where(Role.name.in_(roles))).all()
    missing = roles - {RoleName(r.name) for r in role_rows}
    if missing:
        raise click.ClickException(
            f"role(s) {', '.join(sorted(missing))} do not exist; run 'flask --app wsgi db upgrade'"
        )
    user = User(
        email=email,
        name=name or (employee.name if employee else email.split("@")[0]),
        password=hash_password(password) if password is not None else None,
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        employee=employee,
        agency_id=(agency.id if agency else employee.agency_id if employee else None),
        roles=list(role_rows),
    )
    session.commit()  # end the reads above: the command runs its own transaction
    try:
        changes.make(session, None, lambda: _added(session, user), via="cli")
    except WorkflowError:
        raise click.ClickException(
            f"could not create {email}: it conflicts with an existing user"
        ) from None
    click.echo(f"created user {email} ({', '.join(sorted(roles))})")


def _added(session, user: User) -> User:
    session.add(user)
    return user


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise click.UsageError("--password-stdin: standard input held no password")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
