"""The parties of DESIGN's "who does what" table, as predicates and SQL filters.

Every workflow model exposes ``subject_id`` (the employee the record is about)
and ``agency_id`` (the agency that owns the process).
"""

from __future__ import annotations

from sqlalchemy import select

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


def _supervisor_holds(actor, record) -> bool:
    eid = _employee_id(actor)
    if eid is None or record.subject is None:
        return False
    return record.subject.supervisor_id == eid


def _supervisor_where(actor, model):
    eid = _employee_id(actor)
    if eid is None:
        return None
    subordinates = select(Employee.id).where(Employee.supervisor_id == eid)
    return model.subject_id.in_(subordinates)


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
SUPERVISOR = Party("supervisor", _supervisor_holds, _supervisor_where)
HR = Party("hr_officer", _hr_holds, _hr_where)
ADMIN = Party("admin", lambda actor, record: _has_role(actor, RoleName.ADMIN))
EXTERNAL = Party("external_system", _external_holds)
ASSESSOR = Party("assessor", *_same_employee("assessor_id"))
APPROVER = Party("approver", *_same_employee("approver_id"))
MENTOR = Party("mentor", *_same_employee("mentor_id"))
