"""The parties of DESIGN's "who does what" table, as predicates and SQL filters.

Every workflow model exposes ``subject_id`` (the employee the record is about)
and ``agency_id`` (the agency that owns the process).
"""

from __future__ import annotations

from sqlalchemy import literal, select
from sqlalchemy.orm import object_session

from workflow import delegation
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


def _me_or_my_principals(column, eid):
    """``column`` is the actor, or someone the actor acts for today (Plt/Plh).

    One ``IN (SELECT :me UNION ALL SELECT principal …)``, not ``= :me OR IN (…)``:
    PostgreSQL turns the first into index lookups per official, the second into a scan.
    """
    return column.in_(select(literal(eid)).union_all(delegation.principals_of(eid)))


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
        return session is not None and delegation.is_acting(session, eid, pid)

    def where(actor, model):
        eid = _employee_id(actor)
        return None if eid is None else where_official(model, eid)

    return holds, where, principal_of


def _supervisor_of(record) -> int | None:
    return record.subject.supervisor_id if record.subject is not None else None


def _supervised(model, eid):
    people = select(Employee.id).where(_me_or_my_principals(Employee.supervisor_id, eid))
    return model.subject_id.in_(people)


def _column_official(name: str):
    return (
        lambda record: getattr(record, name),
        lambda model, eid: _me_or_my_principals(getattr(model, name), eid),
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
