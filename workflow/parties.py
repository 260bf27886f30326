"""The parties of "who does what" (PermenPANRB 6/2022), as predicates and SQL filters.

Every workflow model exposes ``subject_id`` (the employee the record is about)
and ``agency_id`` (the agency that owns the process).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from workflow import acting
from workflow.db import local_today, read_once
from workflow.definition import Party
from workflow.models.accounts import RoleName
from workflow.models.org import Employee


def _employee_id(actor):
    return getattr(actor, "employee_id", None)


def _has_role(actor, role: RoleName) -> bool:
    return actor is not None and actor.has_role(role)


def _same_employee(attr: str) -> Party:
    def holds(actor, record) -> bool:
        eid = _employee_id(actor)
        return eid is not None and getattr(record, attr) == eid

    def where(actor, model):
        eid = _employee_id(actor)
        return None if eid is None else getattr(model, attr) == eid

    return holds, where


def _me_or_my_principals(column, actor):
    """``column`` is the actor, or someone the actor acts for today (Plt/Plh)."""
    return column.in_(acting.officials(object_session(actor), _employee_id(actor)))


def _official(principal_of, where_official):
    """A party that is one official of the record (supervisor, assessor, approver, mentor).

    The official's acting delegate holds it too, during the delegation's dates.
    """

    def holds(actor, record) -> bool:
        eid, pid = _employee_id(actor), principal_of(record)
        if eid is None or pid is None:
            return False
        if eid == pid:
            return True
        session = object_session(record)
        return session is not None and acting.is_acting(session, eid, pid)

    def where(actor, model):
        return None if _employee_id(actor) is None else where_official(model, actor)

    return holds, where, principal_of


def _supervisor_of(record) -> int | None:
    return record.subject.supervisor_id if record.subject is not None else None


def _supervised(model, actor):
    session, eid = object_session(actor), _employee_id(actor)

    def read() -> list[int]:
        staff = select(Employee.id).where(_me_or_my_principals(Employee.supervisor_id, actor))
        return list(session.scalars(staff.order_by(Employee.id)))

    # The staff by id, as _me_or_my_principals names the officials: ORed with the
    # record's other parties, a subquery made PostgreSQL read every record.
    staff = read_once(session, ("staff", eid, local_today()), read)
    return model.subject_id.in_(staff) if staff else None  # None: no records of theirs


def _column_official(name: str):
    return (
        lambda record: getattr(record, name),
        lambda model, actor: _me_or_my_principals(getattr(model, name), actor),
    )


def _hr_holds(actor, record) -> bool:
    return (
        _has_role(actor, RoleName.HR_OFFICER)
        and actor.agency_id is not None
        and actor.agency_id == record.agency_id
    )


def _hr_where(actor, model):
    if not _has_role(actor, RoleName.HR_OFFICER) or actor.agency_id is None:
        return None
    return model.agency_id == actor.agency_id


def _external_holds(actor, record) -> bool:
    return _has_role(actor, RoleName.EXTERNAL_SYSTEM) and actor.agency_id in (
        None,
        record.agency_id,
    )


SUBJECT = Party("subject", *_same_employee("subject_id"))
SUPERVISOR = Party("supervisor", *_official(_supervisor_of, _supervised))
HR = Party("hr_officer", _hr_holds, _hr_where)
ADMIN = Party("admin", lambda actor, record: _has_role(actor, RoleName.ADMIN))
EXTERNAL = Party("external_system", _external_holds)
ASSESSOR = Party("assessor", *_official(*_column_official("assessor_id")))
APPROVER = Party("approver", *_official(*_column_official("approver_id")))
MENTOR = Party("mentor", *_official(*_column_official("mentor_id")))
