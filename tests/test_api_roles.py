"""The role-by-endpoint-by-action matrix of the API, asserted for every role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow.models import Employee, Role, RoleName

ROLES = ("admin", "hr", "supervisor", "employee", "external", "anonymous")
# Which cast member plays each role; "employee" is the subject of the records.
PLAYER = {
    "admin": "admin",
    "hr": "hr",
    "supervisor": "supervisor",
    "employee": "subject",
    "external": "external",
    "anonymous": None,
}


def _new_employee(c):
    return {
        "nip": "199001012015011001",
        "name": "Pegawai Baru",
        "status": "PNS",
        "rank": "III/a",
        "position": "Analis",
        "unit_id": c["unit_id"],
    }


def _new_program(c):
    return {
        "code": f"NEW-{c['n']}",
        "name": "Pelatihan Baru",
        "form": "workshop",
        "delivery_mode": "daring",
        "organiser": "BKPSDM",
        "agency_id": c["agency_id"],
        "jp": 8,
        "start_date": "2026-05-01",
        "end_date": "2026-05-02",
        "seat_quota": 20,
        "cost_per_participant": 0,
    }


# action -> (method, path, body, {role: status})
MATRIX = {
    "list agencies": (
        "GET",
        "/api/v1/agencies",
        None,
        dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    ),
    "create agency": (
        "POST",
        "/api/v1/agencies",
        lambda c: {
            "code": f"N{c['n']}",
            "name": "Kab. Baru",
            "province": "Maluku",
            "region": "Kab. Baru",
        },
        {
            "admin": 201,
            "hr": 403,
            "supervisor": 403,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "rename unit": (
        "PATCH",
        "/api/v1/units/{unit_id}",
        lambda c: {"name": "Bidang Baru"},
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 403,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "read the employee": (
        "GET",
        "/api/v1/employees/{employee_id}",
        None,
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 200,
            "employee": 200,
            "external": 200,
            "anonymous": 401,
        },
    ),
    "read a colleague": (
        "GET",
        "/api/v1/employees/{colleague_id}",
        None,
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 200,
            "employee": 404,
            "external": 200,
            "anonymous": 401,
        },
    ),
    "create employee": (
        "POST",
        "/api/v1/employees",
        _new_employee,
        {
            "admin": 201,
            "hr": 201,
            "supervisor": 403,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "create program": (
        "POST",
        "/api/v1/training-programs",
        _new_program,
        {
            "admin": 201,
            "hr": 201,
            "supervisor": 403,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "create appraisal": (
        "POST",
        "/api/v1/appraisals",
        lambda c: {
            "employee_id": c["employee_id"],
            "year": 2024,
            "period": f"M{c['n'] % 12 + 1:02d}",
        },
        {
            "admin": 201,
            "hr": 201,
            "supervisor": 403,
            "employee": 201,
            "external": 201,
            "anonymous": 401,
        },
    ),
    "read appraisal": (
        "GET",
        "/api/v1/appraisals/{appraisal_id}",
        None,
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 200,
            "employee": 200,
            "external": 200,
            "anonymous": 401,
        },
    ),
    "appraisal history": (
        "GET",
        "/api/v1/appraisals/{appraisal_id}/transitions",
        None,
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 200,
            "employee": 200,
            "external": 200,
            "anonymous": 401,
        },
    ),
    "review appraisal": (
        "POST",
        "/api/v1/appraisals/{appraisal_id}/transitions",
        lambda c: {
            "trigger": "review",
            "data": {
                "work_result_rating": "sesuai_ekspektasi",
                "behaviour_rating": "sesuai_ekspektasi",
                "feedback": "Baik",
            },
        },
        {
            "admin": 200,
            "hr": 403,
            "supervisor": 200,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "review nomination": (
        "POST",
        "/api/v1/training-nominations/{nomination_id}/transitions",
        lambda c: {"trigger": "review"},
        {
            "admin": 200,
            "hr": 403,
            "supervisor": 200,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "approve nomination": (
        "POST",
        "/api/v1/training-nominations/{reviewed_id}/transitions",
        lambda c: {"trigger": "approve"},
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 403,
            "employee": 403,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "complete nomination": (
        "POST",
        "/api/v1/training-nominations/{approved_id}/transitions",
        lambda c: {"trigger": "complete"},
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 403,
            "employee": 403,
            "external": 200,
            "anonymous": 401,
        },
    ),
    "edit draft nomination": (
        "PATCH",
        "/api/v1/training-nominations/{draft_id}",
        lambda c: {"justification": "Relevan dengan tugas"},
        {
            "admin": 200,
            "hr": 200,
            "supervisor": 403,
            "employee": 200,
            "external": 403,
            "anonymous": 401,
        },
    ),
    "actions": (
        "GET",
        "/api/v1/appraisals/{appraisal_id}/actions",
        None,
        dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    ),
    "inbox": ("GET", "/api/v1/inbox", None, dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401}),
    "list nominations": (
        "GET",
        "/api/v1/training-nominations",
        None,
        dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 401},
    ),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not(session, client, cast, bearer, role, action):
    from tests import factories

    program = factories.program(session)
    session.commit()
    records = {
        "appraisal_id": bring_to(new_record(session, cast, "appraisal"), "submitted").id,
        "nomination_id": bring_to(new_record(session, cast, "training_nomination"), "submitted").id,
        "reviewed_id": bring_to(
            new_record(session, cast, "training_nomination", program_id=program.id), "reviewed"
        ).id,
    }
    approved, drafted = factories.program(session), factories.program(session)
    session.commit()
    records["draft_id"] = new_record(session, cast, "training_nomination", program_id=drafted.id).id
    records["approved_id"] = bring_to(
        new_record(session, cast, "training_nomination", program_id=approved.id), "approved"
    ).id
    context = {
        **records,
        "n": ROLES.index(role),
        "agency_id": cast.agency.id,
        "unit_id": cast.subject_employee.unit_id,
        "employee_id": cast.subject_employee.id,
        "colleague_id": cast.colleague.employee_id,
    }
    method, path, body, expected = MATRIX[action]
    player = PLAYER[role] and getattr(cast, PLAYER[role])
    response = client.open(
        path.format(**context),
        method=method,
        headers=bearer(player),
        json=body(context) if body else None,
    )
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"


def test_lists_show_each_role_only_what_it_may_see(session, client, cast, bearer):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    counts = {}
    for role in ROLES[:-1]:
        headers = bearer(getattr(cast, PLAYER[role]))
        employees = client.get("/api/v1/employees?limit=200", headers=headers).get_json()
        appraisals = client.get("/api/v1/appraisals", headers=headers).get_json()
        counts[role] = (len(employees["items"]), len(appraisals["items"]))
    colleague = bearer(cast.colleague)
    assert client.get("/api/v1/appraisals", headers=colleague).get_json()["items"] == []
    hr_other = bearer(cast.hr_other)
    assert client.get("/api/v1/appraisals", headers=hr_other).get_json()["items"] == []
    # 8 employees in two agencies; hr's agency holds 7 of them.
    assert counts == {
        "admin": (8, 1),
        "hr": (7, 1),
        "supervisor": (4, 1),  # themselves and their three reports
        "employee": (1, 1),  # themselves
        "external": (8, 1),  # a national system (no agency)
    }


def test_an_hr_officer_sees_their_agency_and_what_they_take_part_in_elsewhere(
    session, client, cast, bearer
):
    # An officer seconded to the other agency keeps what they take part in at home: their
    # own employee record, their staff, and the appraisals they assess.
    seconded = cast.supervisor
    seconded.agency_id = cast.other_agency.id
    seconded.roles.append(session.scalar(select(Role).where(Role.name == RoleName.HR_OFFICER)))
    session.commit()
    assessed = bring_to(new_record(session, cast, "appraisal"), "submitted")
    away_unit = factories.unit(session, cast.other_agency)
    head = factories.employee(session, away_unit, supervisor=cast.hr_other.employee)
    staff = factories.employee(session, away_unit, supervisor=head)
    session.commit()
    theirs = new_record(session, cast, "appraisal", employee_id=staff.id)
    headers = bearer(seconded)

    employees = client.get("/api/v1/employees?limit=200", headers=headers).get_json()["items"]
    appraisals = client.get("/api/v1/appraisals", headers=headers).get_json()["items"]

    home = session.scalars(
        select(Employee.id).where(Employee.supervisor_id == seconded.employee_id)
    )
    away = session.scalars(select(Employee.id).where(Employee.agency_id == cast.other_agency.id))
    assert sorted(e["id"] for e in employees) == sorted([seconded.employee_id, *home, *away])
    assert [a["id"] for a in appraisals] == [assessed.id, theirs.id]
