"""Reference data (agencies, units, employees, training programs): finding and saving it.

Who sees and changes what is the policy's (``workflow.policy``); saving is a
command of ``workflow.changes``, which asks ``validate`` here. What is checked is the data: a
row's references (an employee's unit and supervisor, a unit's parent) must exist
in the row's own agency, and an id of another agency is refused exactly as one
that does not exist.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, bindparam, false, true
from sqlalchemy.orm import Session

from workflow.errors import InvalidPayload, Text, term
from workflow.models import Agency, DevelopmentBudget, Employee, Holiday, TrainingProgram, Unit
from workflow.models.accounts import RoleName
from workflow.models.programs import DeliveryMode, DevelopmentForm
from workflow.nip import NIP_LENGTH


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
    return and_(*(Employee.name.ilike(_inline(f"%{_escape_like(w)}%"), escape="\\") for w in words))


def _inline(value: str):
    # Written into the statement, not sent as a parameter: a plan that PostgreSQL caches
    # for any value (psycopg prepares a statement it sees again) cannot know how few rows
    # match, and would scan rather than use the index.
    return bindparam(None, value, literal_execute=True)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def validate(session: Session, actor, row) -> None:
    """Check a row as a command would leave it (``workflow.changes`` asks before saving)."""
    check = RULES.get(type(row))
    if check is not None:
        check(session, row)
    if isinstance(row, TrainingProgram) and row.agency_id is None and _of_an_agency(actor):
        # A program of no agency is national (admins'): an agency's officer names their own.
        raise InvalidPayload(
            "choose the agency the program is for",
            {"agency_id": ["Choose your agency: a program of no agency is national."]},
        )


def _of_an_agency(actor) -> bool:
    return actor is not None and not actor.has_role(RoleName.ADMIN) and actor.agency_id is not None


def _employee_links(session: Session, row: Employee) -> None:
    unit = session.get(Unit, row.unit_id) if row.unit_id is not None else None
    if unit is None:
        raise _no_such("unit_id", "unit", row.unit_id)
    row.agency_id = unit.agency_id  # an employee belongs to the agency of their unit
    if row.supervisor_id is None:
        return
    supervisor = session.get(Employee, row.supervisor_id)
    if supervisor is None or supervisor.agency_id != row.agency_id:
        raise _no_such("supervisor_id", "employee", row.supervisor_id)
    if supervisor.id == row.id:
        raise InvalidPayload(
            "an employee cannot be their own supervisor",
            {"supervisor_id": ["Must not be the employee themselves."]},
        )
    _refuse_cycle(session, row, supervisor)


def _refuse_cycle(session: Session, row: Employee, supervisor: Employee) -> None:
    # The chain up from the new supervisor must not come back to the employee:
    # assessors are derived from it (PermenPANRB 6/2022).
    seen, current = set(), supervisor
    while current is not None and current.id not in seen:
        if row.id is not None and current.id == row.id:
            raise InvalidPayload(
                "the supervisor chain would loop back to the employee",
                {"supervisor_id": ["The chain of supervisors would loop."]},
            )
        seen.add(current.id)
        current = current.supervisor


def _unit_links(session: Session, row: Unit) -> None:
    if row.agency_id is None or session.get(Agency, row.agency_id) is None:
        raise _no_such("agency_id", "agency", row.agency_id)
    seen, parent_id = {row.id}, row.parent_id
    while parent_id is not None:  # up the tree: in the agency, and never back to the unit
        parent = session.get(Unit, parent_id)
        if parent is None or parent.agency_id != row.agency_id or parent.id in seen:
            raise _no_such("parent_id", "unit", row.parent_id)
        seen.add(parent.id)
        parent_id = parent.parent_id


def _budget(session: Session, row: DevelopmentBudget) -> None:
    if row.agency_id is None or session.get(Agency, row.agency_id) is None:
        raise _no_such("agency_id", "agency", row.agency_id)
    errors = {}
    if not isinstance(row.year, int) or not 2000 <= row.year <= 2100:
        errors["year"] = ["Between 2000 and 2100."]
    if not isinstance(row.amount, int) or not 0 <= row.amount <= MAX_RUPIAH:
        errors["amount"] = [Text(RUPIAH_RANGE, most=MAX_RUPIAH)]
    elif row.amount < (row.committed or 0):
        # approved nominations have committed it already (a budget is never exceeded)
        errors["amount"] = [
            Text("Not below what is committed already (%(n)s rupiah).", n=row.committed)
        ]
    if errors:
        raise InvalidPayload("invalid development budget", errors)


def _holiday(session: Session, row: Holiday) -> None:
    if not isinstance(row.day, date):
        raise InvalidPayload("a holiday needs its date", {"day": ["A date (YYYY-MM-DD)."]})
    name = (row.name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise InvalidPayload("a holiday needs a name", {"name": ["1 to 200 characters."]})
    row.name = name


def _program(session: Session, row: TrainingProgram) -> None:
    """A program's coded fields and numbers, named field by field (the table's checks, said)."""
    errors = {}
    if row.form not in set(DevelopmentForm):
        errors["form"] = [Text("One of: %(codes)s.", codes=tuple(DevelopmentForm))]
    if row.delivery_mode not in set(DeliveryMode):
        errors["delivery_mode"] = [Text("One of: %(codes)s.", codes=tuple(DeliveryMode))]
    if not isinstance(row.jp, int) or not 1 <= row.jp <= 1000:
        errors["jp"] = ["Between 1 and 1000."]
    if not isinstance(row.seat_quota, int) or not 1 <= row.seat_quota <= 1_000_000:
        errors["seat_quota"] = ["Between 1 and 1000000."]
    elif (row.seats_taken or 0) > row.seat_quota:
        errors["seat_quota"] = [
            Text("Not below the seats taken already (%(n)s).", n=row.seats_taken)
        ]
    cost = row.cost_per_participant
    if not isinstance(cost, int) or not 0 <= cost <= MAX_RUPIAH:
        errors["cost_per_participant"] = [Text(RUPIAH_RANGE, most=MAX_RUPIAH)]
    dates = (row.start_date, row.end_date)
    if not all(isinstance(d, date) for d in dates):
        errors["start_date"] = ["A start and an end date (YYYY-MM-DD)."]
    elif row.end_date < row.start_date:
        errors["end_date"] = ["Must not be before start_date."]
    if errors:
        raise InvalidPayload("invalid training program", errors)


MAX_RUPIAH = 10**15  # far above any agency's budget; below what every database column holds
RUPIAH_RANGE = "Between 0 and %(most)s rupiah."

RULES = {
    Employee: _employee_links,
    Unit: _unit_links,
    DevelopmentBudget: _budget,
    Holiday: _holiday,
    TrainingProgram: _program,
}


def _no_such(field: str, what: str, key) -> InvalidPayload:
    said = {"what": term("model", what), "id": key}
    return InvalidPayload(
        "no %(what)s %(id)s in this agency",
        {field: [Text("No %(what)s %(id)s in this agency.", **said)]},
        said,
    )
