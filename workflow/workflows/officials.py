"""Who acts on a record comes from the org chart (PermenPANRB 6/2022).

The appraisal's assessor (pejabat penilai kinerja) is the employee's direct
superior and its approver (atasan pejabat penilai kinerja) that superior's
superior; an acting Plt/Plh acts through the delegation while the principal
stays the record's official. Only the agency's HR officer or an admin names
others, with a reason the audit entry keeps; the people named belong to the
record's agency unless an admin says otherwise (``cross_agency``).
"""

from __future__ import annotations

from marshmallow import fields

from workflow.errors import InvalidPayload, Term, Text, terms
from workflow.models.accounts import RoleName
from workflow.models.org import Employee
from workflow.workflows.common import text

REASON = "reason"
CROSS_AGENCY = "cross_agency"


def reason_field():
    return text(
        max_length=2000,
        metadata={
            "description": "Why the officials differ from the supervisor chain (required when "
            "naming them; kept in the audit entry)"
        },
    )


def cross_agency_field():
    return fields.Boolean(
        metadata={"description": "Admins only: the people named may be of another agency"}
    )


def _is_admin(actor) -> bool:
    return actor is not None and actor.has_role(RoleName.ADMIN)


def may_name(actor, agency_id: int) -> bool:
    """Whether ``actor`` may name officials other than the chain's (the system acts by rule)."""
    if actor is None or _is_admin(actor):
        return True
    return actor.has_role(RoleName.HR_OFFICER) and actor.agency_id == agency_id


def check_naming(
    actor, data: dict, names: tuple[str, ...], agency_id: int, subject_id: int | None = None
) -> dict[str, int]:
    """The officials ``data`` names among ``names``, if ``actor`` may name them with a reason.

    Nobody but an admin names the officials of a record about themselves (an HR officer's own
    plan or appraisal): who judges one's work is not one's own choice.
    """
    given = {name: data[name] for name in names if data.get(name) is not None}
    extras = [f for f in (REASON, CROSS_AGENCY) if data.get(f) not in (None, "", False)]
    if not given:
        if extras:
            said = {"fields": terms("field", extras), "names": terms("field", names)}
            raise InvalidPayload(
                "%(fields)s only go with %(names)s",
                {f: [Text("Only when naming %(names)s.", **said)] for f in extras},
                said,
            )
        return {}
    if not may_name(actor, agency_id):
        raise InvalidPayload(
            "who acts on this record comes from the supervisor chain; only the agency's HR "
            "officer or an admin may name someone else",
            {
                name: [
                    "Taken from the supervisor chain (atasan langsung): you may not choose it; "
                    "only the agency's HR officer or an admin may name another."
                ]
                for name in given
            },
        )
    if subject_id is not None and _own(actor, subject_id):
        raise InvalidPayload(
            "nobody names the officials of a record about themselves",
            {
                name: [
                    Text("Another HR officer or an admin names the officials of your own record.")
                ]
                for name in given
            },
        )
    check_cross_agency(actor, data)
    if actor is not None and not (data.get(REASON) or "").strip():
        raise InvalidPayload(
            "naming the officials needs a reason",
            {
                REASON: [
                    Text(
                        "Required when naming %(names)s: say why not the supervisor chain.",
                        names=terms("field", given),
                    )
                ]
            },
        )
    return given


def _own(actor, subject_id: int) -> bool:
    return (
        actor is not None
        and not _is_admin(actor)
        and actor.employee_id is not None
        and actor.employee_id == subject_id
    )


def check_cross_agency(actor, data: dict) -> bool:
    """Whether ``data`` asks for people of other agencies; only admins (or the system) may."""
    cross = bool(data.get(CROSS_AGENCY))
    if cross and actor is not None and not _is_admin(actor):
        raise InvalidPayload(
            "only an admin may name people of another agency",
            {CROSS_AGENCY: ["Only an admin may name people of another agency."]},
        )
    return cross


def member(session, field: str, ident: int, agency_id: int, *, cross: bool) -> Employee:
    """The employee ``ident`` of ``agency_id`` (any agency if ``cross``).

    An unknown id and one of another agency get the same answer: ids cannot be probed.
    """
    person = session.get(Employee, ident)
    if person is None or (not cross and person.agency_id != agency_id):
        raise InvalidPayload(
            "no such employee in this agency",
            {field: [Text("Employee %(id)s does not exist or is not in this agency.", id=ident)]},
        )
    return person


def vacant(field: str, role: Term, whose: Term) -> InvalidPayload:
    """No official of ``role`` from the chain: ``whose`` (a party) has no superior."""
    said = {"whose": whose, "role": role}
    return InvalidPayload(
        "%(whose)s has no superior on record",
        {
            field: [
                Text(
                    "%(whose)s has no superior (atasan) on record: the agency's HR officer "
                    "must name the %(role)s.",
                    whose=Term(whose.kind, whose.code, whose.text.capitalize()),
                    role=role,
                )
            ]
        },
        said,
    )


def three_people(employee_id: int, assessor_id: int, approver_id: int, named=()) -> None:
    """Employee, assessor and approver are three different people (segregation of duties).

    A clash is reported on the field named in the request if one was (``named``).
    """
    if assessor_id == employee_id:
        clash = ("assessor_id",)
    elif approver_id == employee_id:
        clash = ("approver_id",)
    elif approver_id == assessor_id:
        clash = ("approver_id", "assessor_id")
    else:
        return
    field = next((f for f in clash if f in named), clash[0])
    raise InvalidPayload(
        "the employee, the assessor and the approver must be three different people",
        {field: ["Employee, assessor and approver must all differ."]},
    )


def without_extras(data: dict) -> dict:
    """The data without the naming's reason and flag (not columns of the record)."""
    return {k: v for k, v in data.items() if k not in (REASON, CROSS_AGENCY)}
