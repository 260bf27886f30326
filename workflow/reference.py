"""Reference data (agencies, units, employees, training programs): who sees and edits what.

Admins see and edit everything. HR officers edit their own agency's units,
employees and programs. Employees' personal data (the NIP holds a birth date) is
seen by HR of their agency, their supervisor and themselves; the rest is open
to every signed-in user.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, false, or_, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from workflow.db import write_transaction
from workflow.errors import Conflict, Forbidden, InvalidPayload
from workflow.models import Agency, Employee, RoleName, TrainingProgram, Unit, User
from workflow.nip import NIP_LENGTH
from workflow.visibility import agency_or_own


def _admin(actor: User) -> bool:
    return actor.has_role(RoleName.ADMIN)


def _hr_of(actor: User, agency_id: int | None) -> bool:
    return (
        actor.has_role(RoleName.HR_OFFICER)
        and actor.agency_id is not None
        and actor.agency_id == agency_id
    )


def visible_clause(actor: User, model):
    """WHERE clause of the rows of ``model`` that ``actor`` may see; None means all."""
    if model is not Employee or _admin(actor):
        return None
    if actor.has_role(RoleName.EXTERNAL_SYSTEM):
        return None if actor.agency_id is None else Employee.agency_id == actor.agency_id
    own = []
    if actor.employee_id is not None:
        own = [Employee.id == actor.employee_id, Employee.supervisor_id == actor.employee_id]
    if actor.has_role(RoleName.HR_OFFICER) and actor.agency_id is not None:
        return agency_or_own(object_session(actor), Employee, actor.agency_id, own)
    return or_(*own) if own else false()


def employee_search(search: str):
    """WHERE clause of the employees a search box's text names.

    Digits (spaces allowed, as NIPs are often written) are the start of a NIP: a
    range on its unique index. Anything else is words that must all occur in the
    name, served on PostgreSQL by a trigram index.
    """
    digits = search.replace(" ", "")
    if digits.isascii() and digits.isdigit():
        if len(digits) > NIP_LENGTH:
            return false()
        # NIPs are 18 ASCII digits, which every collation orders alike
        low, high = digits.ljust(NIP_LENGTH, "0"), digits.ljust(NIP_LENGTH, "9")
        return Employee.nip.between(_inline(low), _inline(high))
    words = search.split()
    if not words:
        return true()
    return and_(*(Employee.name.ilike(_inline(f"%{_escape_like(w)}%"), escape="\\")
                  for w in words))  # fmt: skip


def _inline(value: str):
    # Written into the statement, not sent as a parameter: a plan that PostgreSQL caches
    # for any value (psycopg prepares a statement it sees again) cannot know how few rows
    # match, and would scan rather than use the index.
    return bindparam(None, value, literal_execute=True)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def can_see(actor: User, row) -> bool:
    if not isinstance(row, Employee) or _admin(actor):
        return True
    if actor.has_role(RoleName.EXTERNAL_SYSTEM):
        return actor.agency_id in (None, row.agency_id)
    return _hr_of(actor, row.agency_id) or (
        actor.employee_id is not None and actor.employee_id in (row.id, row.supervisor_id)
    )


def owning_agency(model, values: dict) -> int | None:
    """The agency a new or changed row belongs to (None for an agency itself)."""
    if model is Agency:
        return None
    return values.get("agency_id")


def check_can_edit(actor: User, model, agency_id: int | None) -> None:
    """Refuse unless ``actor`` may create or change a row of ``model`` in ``agency_id``."""
    if _admin(actor):
        return
    if model in (Unit, Employee, TrainingProgram) and _hr_of(actor, agency_id):
        return
    who = "admins" if model is Agency else "admins and the agency's HR officers"
    raise Forbidden(f"only {who} may change {model.__tablename__.replace('_', ' ')}")


def save(session: Session, actor: User, row, values: dict):
    """Apply ``values`` to ``row`` (new or existing) if ``actor`` may; commit.

    The agency is checked before and after the change, so nobody moves a row
    out of, or into, an agency they do not administer.
    """
    model = type(row)
    with write_transaction(session), session.no_autoflush:
        if row.id is not None:
            check_can_edit(actor, model, _agency_of(session, row))
        for name, value in values.items():
            try:
                setattr(row, name, value)  # the models' validators check NIP, rank, status
            except ValueError as exc:
                raise InvalidPayload(str(exc), {name: [str(exc)]}) from None
        if model is Employee and row.unit_id is not None:
            unit = session.get(Unit, row.unit_id)
            if unit is None:
                raise InvalidPayload("unknown unit", {"unit_id": [f"No unit {row.unit_id}."]})
            row.agency_id = unit.agency_id
        check_can_edit(actor, model, _agency_of(session, row))
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise _integrity_error(exc) from None
    return row


def _agency_of(session: Session, row) -> int | None:
    if isinstance(row, Agency):
        return row.id
    return row.agency_id


def _integrity_error(exc: IntegrityError):
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return Conflict("a record with the same unique value (code or NIP) already exists")
    if "foreign key" in text:
        return InvalidPayload(
            "a referenced record does not exist, or belongs to another agency",
            {"_schema": ["A referenced record does not exist or is in another agency."]},
        )
    return InvalidPayload(
        "the change breaks a rule of the data", {"_schema": [str(exc.orig).splitlines()[0]]}
    )
