"""User accounts and roles (the Flask-Security-Too user model)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_security import RoleMixin, UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.org import Agency, Employee


class RoleName(StrEnum):
    ADMIN = "admin"
    HR_OFFICER = "hr_officer"
    SUPERVISOR = "supervisor"
    EMPLOYEE = "employee"
    EXTERNAL_SYSTEM = "external_system"


ROLE_DESCRIPTIONS: dict[RoleName, str] = {
    RoleName.ADMIN: "Administrator: may act on every record (audited)",
    RoleName.HR_OFFICER: "HR officer (BKPSDM/BKD) of one agency",
    RoleName.SUPERVISOR: "Supervisor (atasan): reviews and approves subordinates' records",
    RoleName.EMPLOYEE: "Employee (ASN): own records and self-assessment",
    RoleName.EXTERNAL_SYSTEM: "External system (e-Kinerja, learning platform, SIASN)",
}

user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<Role {self.name}>"

    def __str__(self) -> str:
        return self.name


class User(db.Model, UserMixin):
    """A login: a person linked to an employee, or a standalone account.

    ``agency_id`` scopes HR officers and external systems to one agency; an
    account linked to an employee belongs to that employee's agency.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language the user chose (id or en): their mails are written in it.
    locale: Mapped[str | None] = mapped_column(String(5))

    employee: Mapped[Employee | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")

    @property
    def role_names(self) -> frozenset[str]:
        # Asked by every right of every step (a bulk request's 10,000): kept with the list
        # it was made from, made anew for a list loaded again, and let go when one is added
        # or removed (``_roles_changed``).
        roles = self.roles
        kept = self.__dict__.get("_role_names")
        if kept is None or kept[0] is not roles:
            kept = self.__dict__["_role_names"] = (roles, frozenset(r.name for r in roles))
        return kept[1]

    def has_role(self, role) -> bool:
        name = role if isinstance(role, str) else role.name
        return name in self.role_names

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    def __str__(self) -> str:
        return self.name or self.email


@event.listens_for(User.roles, "append")
@event.listens_for(User.roles, "remove")
def _roles_changed(user, *_args, **_kwargs) -> None:
    user.__dict__.pop("_role_names", None)


class ApiToken(db.Model):
    """A bearer token of a user for the API, stored only as its SHA-256 hash.

    Tokens are long random strings, so a fast hash suffices: nothing useful can
    be guessed from it. ``prefix`` (the first characters) identifies a token to
    people without revealing it.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
