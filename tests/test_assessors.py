"""Who acts on a record comes from the org chart; only HR or admins name others, with a reason.

PermenPANRB 6/2022: the assessor (pejabat penilai kinerja) is the employee's direct
superior and the approver (atasan pejabat penilai kinerja) that superior's superior.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import backoffice as bo
from tests import factories
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import InvalidPayload, create, edit, fire
from workflow.audit import payload_digest
from workflow.models import Appraisal, AuditEntry, MentoringAssignment, RoleName

RATINGS = {
    "work_result_rating": "sesuai_ekspektasi",
    "behaviour_rating": "sesuai_ekspektasi",
    "feedback": "Sesuai target",
}


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def last_entry(session, record) -> AuditEntry:
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.record_id == record.id, AuditEntry.workflow == record.workflow_name)
        .order_by(AuditEntry.seq.desc())
    ).first()


def appraisal_data(cast, **more) -> dict:
    return {"employee_id": cast.subject_employee.id, "year": 2027, **more}


# -- the attack: an employee picks their own officials ------------------------------------


def test_an_employee_naming_peers_as_assessor_and_approver_is_refused(
    session, client, cast, bearer
):
    body = appraisal_data(
        cast, assessor_id=cast.colleague.employee_id, approver_id=cast.mentor.employee_id
    )
    response = client.post("/api/v1/appraisals", json=body, headers=bearer(cast.subject))
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["errors"]) == {"assessor_id", "approver_id"}
    assert "HR officer" in response.get_json()["errors"]["assessor_id"][0]
    with_reason = client.post(
        "/api/v1/appraisals", json={**body, "reason": "Saya mau"}, headers=bearer(cast.subject)
    )
    assert with_reason.status_code == 422
    assert count(session, Appraisal) == 0


def test_an_employee_may_not_patch_the_officials_of_a_returned_appraisal(
    session, client, cast, bearer
):
    record = bring_to(new_record(session, cast, "appraisal"), "returned")
    version = record.version
    response = client.patch(
        f"/api/v1/appraisals/{record.id}",
        headers=bearer(cast.subject),
        json={"assessor_id": cast.colleague.employee_id, "approver_id": cast.subject_employee.id},
    )
    assert response.status_code == 422, response.get_json()
    assert {"assessor_id", "approver_id"} <= set(response.get_json()["errors"])
    session.rollback()
    row = session.get(Appraisal, record.id)
    assert (row.assessor_id, row.approver_id, row.version) == (
        cast.supervisor.employee_id,
        cast.manager.employee_id,
        version,
    )


def test_other_agency_ids_are_refused_exactly_like_unknown_ids(session, client, cast, bearer):
    headers = bearer(cast.hr)
    answers = {}
    for ident in (cast.hr_other.employee_id, 2_000_000_000):
        response = client.post(
            "/api/v1/appraisals",
            headers=headers,
            json=appraisal_data(cast, assessor_id=ident, reason="Mutasi"),
        )
        assert response.status_code == 422
        problem = response.get_json()
        answers[ident] = (
            problem["detail"],
            problem["errors"]["assessor_id"][0].replace(str(ident), "N"),
        )
    assert len(set(answers.values())) == 1
    assert "does not exist or is not in this agency" in next(iter(answers.values()))[1]
    assert count(session, Appraisal) == 0


# -- derived from the chain --------------------------------------------------------------


def test_the_officials_are_the_superior_and_the_superiors_superior(session, client, cast, bearer):
    response = client.post(
        "/api/v1/appraisals", json=appraisal_data(cast), headers=bearer(cast.subject)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["assessor_id"], body["approver_id"]) == (
        cast.supervisor.employee_id,
        cast.manager.employee_id,
    )


def test_a_vacant_superior_is_refused_and_hr_names_the_official(session, cast):
    team = cast.subject_employee.unit
    alone = factories.employee(session, team, rank="III/a")  # nobody above
    below_head = factories.employee(session, team, supervisor=cast.manager.employee.supervisor)
    users = [factories.user(session, RoleName.EMPLOYEE, employee=e) for e in (alone, below_head)]
    session.commit()
    with pytest.raises(InvalidPayload) as vacant:
        create(session, "appraisal", users[0], {"employee_id": alone.id, "year": 2027}, via="api")
    assert "HR officer must name the assessor" in vacant.value.errors["assessor_id"][0]
    with pytest.raises(InvalidPayload) as vacant:
        create(
            session, "appraisal", users[1], {"employee_id": below_head.id, "year": 2027}, via="api"
        )
    assert "HR officer must name the approver" in vacant.value.errors["approver_id"][0]
    record = create(
        session,
        "appraisal",
        cast.hr,
        {
            "employee_id": alone.id,
            "year": 2027,
            "assessor_id": cast.supervisor.employee_id,
            "reason": "Jabatan atasan kosong",
        },
        via="api",
    )
    assert (record.assessor_id, record.approver_id) == (
        cast.supervisor.employee_id,
        cast.manager.employee_id,
    )


def test_a_plh_of_the_assessor_reviews_and_the_assessor_stays_the_official(session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    acting, _row = factories.acting_official(session, cast)
    record = fire(record, "review", acting, via="api", payload=RATINGS)
    assert (record.state, record.assessor_id) == ("reviewed", cast.supervisor.employee_id)
    assert last_entry(session, record).on_behalf_of_id == cast.supervisor.employee_id


# -- overrides by HR and admins ----------------------------------------------------------


def test_hr_names_another_assessor_only_with_a_reason_kept_in_the_audit(session, cast):
    data = appraisal_data(cast, assessor_id=cast.mentor.employee_id)
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.hr, data, via="api")
    assert set(invalid.value.errors) == {"reason"}
    data["reason"] = "Atasan langsung cuti panjang"
    record = create(session, "appraisal", cast.hr, data, via="api")
    assert (record.assessor_id, record.approver_id) == (
        cast.mentor.employee_id,
        cast.supervisor.employee_id,
    )  # the mentor's own superior
    entry = last_entry(session, record)
    assert entry.comment == "Atasan langsung cuti panjang"
    assert entry.payload_digest == payload_digest({**data, "period": "annual"})


def test_hr_renames_the_approver_of_a_returned_appraisal_with_a_reason(session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "returned")
    change = {"approver_id": cast.hr.employee_id}
    with pytest.raises(InvalidPayload) as invalid:
        edit(record, cast.hr, change, via="api")
    assert set(invalid.value.errors) == {"reason"}
    record = edit(record, cast.hr, {**change, "reason": "Mutasi kepala bidang"}, via="api")
    assert record.approver_id == cast.hr.employee_id
    entry = last_entry(session, record)
    assert (entry.trigger, entry.comment) == ("edit", "Mutasi kepala bidang")
    assert entry.payload_digest == payload_digest({**change, "reason": "Mutasi kepala bidang"})


def test_only_an_admin_may_name_officials_of_another_agency_and_must_say_so(session, cast):
    outsider = cast.hr_other.employee_id
    data = appraisal_data(cast, approver_id=outsider, reason="Penilai dari instansi pembina")
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.admin, data, via="api")
    assert "does not exist or is not in this agency" in invalid.value.errors["approver_id"][0]
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.hr, {**data, "cross_agency": True}, via="api")
    assert set(invalid.value.errors) == {"cross_agency"}
    record = create(session, "appraisal", cast.admin, {**data, "cross_agency": True}, via="api")
    assert record.approver_id == outsider and record.agency_id == cast.agency.id


def test_hr_of_another_agency_may_not_name_the_officials(session, cast):
    with pytest.raises(InvalidPayload) as invalid:
        create(
            session,
            "appraisal",
            cast.hr_other,
            appraisal_data(cast, assessor_id=cast.mentor.employee_id, reason="x"),
            via="api",
        )
    # the employee is not theirs to see: refused before the officials are looked at
    assert "employee_id" in invalid.value.errors


@pytest.mark.parametrize(
    ("named", "field"),
    [
        ({"assessor_id": "subject"}, "assessor_id"),
        ({"approver_id": "subject"}, "approver_id"),
        ({"approver_id": "supervisor"}, "approver_id"),
        ({"assessor_id": "manager", "approver_id": "manager"}, "approver_id"),
    ],
    ids=["self-assessor", "self-approver", "approver-is-assessor", "assessor-is-approver"],
)
def test_employee_assessor_and_approver_are_three_people(session, cast, named, field):
    ids = {
        "subject": cast.subject_employee.id,
        "supervisor": cast.supervisor.employee_id,
        "manager": cast.manager.employee_id,
    }
    data = appraisal_data(cast, reason="Uji", **{k: ids[v] for k, v in named.items()})
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.hr, data, via="api")
    assert field in invalid.value.errors
    assert count(session, Appraisal) == 0


def test_a_reason_alone_is_refused(session, cast):
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.hr, appraisal_data(cast, reason="x"), via="api")
    assert set(invalid.value.errors) == {"reason"}


# -- the other workflows -----------------------------------------------------------------


def test_nobody_names_the_reviewer_of_a_nomination(session, client, cast, bearer):
    response = client.post(
        "/api/v1/training-nominations",
        headers=bearer(cast.subject),
        json={
            "employee_id": cast.subject_employee.id,
            "program_id": cast.program.id,
            "supervisor_id": cast.colleague.employee_id,
        },
    )
    assert response.status_code == 422
    assert "supervisor_id" in response.get_json()["errors"]


def test_the_mentor_is_of_the_mentees_agency_and_the_mentee_never_proposes(session, cast):
    data = {
        "mentee_id": cast.subject_employee.id,
        "goals": "Modul ajar",
        "start_date": "2026-02-01",
        "end_date": "2026-05-01",
        "jp": 16,
    }
    answers = set()
    for ident in (cast.hr_other.employee_id, 2_000_000_000):
        with pytest.raises(InvalidPayload) as invalid:
            create(
                session, "mentoring_assignment", cast.hr, {**data, "mentor_id": ident}, via="api"
            )
        answers.add(invalid.value.errors["mentor_id"][0].replace(str(ident), "N"))
    assert answers == {"Employee N does not exist or is not in this agency."}
    with pytest.raises(InvalidPayload):
        create(
            session,
            "mentoring_assignment",
            cast.hr,
            {**data, "mentor_id": cast.hr_other.employee_id, "cross_agency": True},
            via="api",
        )
    from workflow import Forbidden

    with pytest.raises(Forbidden):
        create(
            session,
            "mentoring_assignment",
            cast.subject,
            {**data, "mentor_id": cast.colleague.employee_id},
            via="api",
        )
    assert count(session, MentoringAssignment) == 0
    record = create(
        session,
        "mentoring_assignment",
        cast.supervisor,
        {**data, "mentor_id": cast.mentor.employee_id},
        via="api",
    )
    assert record.mentor_id == cast.mentor.employee_id


# -- the back office ---------------------------------------------------------------------


def test_an_employees_appraisal_form_offers_no_officials_and_a_forged_post_is_refused(
    client, session, cast
):
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get("/admin/admin_appraisals/new/"))
    assert 'name="employee"' in page
    assert 'name="assessor"' not in page and 'name="approver"' not in page
    response = client.post(
        "/admin/admin_appraisals/new/",
        follow_redirects=True,
        data={
            "employee": cast.subject_employee.id,
            "year": 2027,
            "period": "annual",
            "assessor": cast.colleague.employee_id,
            "approver": cast.mentor.employee_id,
            "csrf_token": bo.csrf(page),
        },
    )
    assert "petugas kepegawaian" in bo.flash_text(bo.text(response))
    assert count(session, Appraisal) == 0


def test_an_employees_edit_form_offers_no_officials_and_a_forged_post_is_refused(
    client, session, cast
):
    record = bring_to(new_record(session, cast, "appraisal"), "returned")
    bo.log_in(client, session, cast.subject)
    url = f"/admin/admin_appraisals/edit/?id={record.id}"
    page = bo.text(client.get(url))
    assert 'name="assessor"' not in page and 'name="approver"' not in page
    response = client.post(
        url,
        follow_redirects=True,
        data={
            "assessor": cast.colleague.employee_id,
            "version_seen": record.version,
            "csrf_token": bo.csrf(page),
        },
    )
    assert "petugas kepegawaian" in bo.flash_text(bo.text(response)), bo.flash_text(
        bo.text(response)
    )
    session.rollback()
    assert session.get(Appraisal, record.id).assessor_id == cast.supervisor.employee_id


def test_hr_sees_the_officials_with_a_reason_and_only_admins_the_cross_agency_box(
    client, session, cast
):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/admin_appraisals/new/"))
    assert 'name="assessor"' in page and 'name="reason"' in page
    assert 'name="cross_agency"' not in page
    response = client.post(
        "/admin/admin_appraisals/new/",
        follow_redirects=True,
        data={
            "employee": cast.subject_employee.id,
            "year": 2027,
            "period": "annual",
            "assessor": cast.mentor.employee_id,
            "reason": "Atasan cuti besar",
            "csrf_token": bo.csrf(page),
        },
    )
    assert response.status_code == 200
    session.rollback()
    record = session.scalars(select(Appraisal)).one_or_none()
    assert record is not None, bo.flash_text(bo.text(response))
    assert record.assessor_id == cast.mentor.employee_id
    assert last_entry(session, record).comment == "Atasan cuti besar"
    bo.log_out(client)
    bo.log_in(client, session, cast.admin)
    assert 'name="cross_agency"' in bo.text(client.get("/admin/admin_appraisals/new/"))


def test_hr_leaving_the_officials_blank_in_the_form_gets_the_chain(client, session, cast):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/admin_appraisals/new/"))
    client.post(
        "/admin/admin_appraisals/new/",
        data={
            "employee": cast.subject_employee.id,
            "year": 2027,
            "period": "annual",
            "csrf_token": bo.csrf(page),
        },
    )
    session.rollback()
    record = session.scalars(select(Appraisal)).one()
    assert (record.assessor_id, record.approver_id) == (
        cast.supervisor.employee_id,
        cast.manager.employee_id,
    )
    assert last_entry(session, record).comment is None


def test_hr_changing_only_the_approver_in_the_form_names_only_the_approver(client, session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "returned")
    bo.log_in(client, session, cast.hr)
    url = f"/admin/admin_appraisals/edit/?id={record.id}"
    page = bo.text(client.get(url))
    # the form comes filled with the chain's assessor; it stays as it was, unnamed
    response = client.post(
        url,
        follow_redirects=True,
        data={
            "assessor": cast.supervisor.employee_id,
            "approver": cast.mentor.employee_id,
            "reason": "Atasan dimutasi",
            "version_seen": record.version,
            "csrf_token": bo.csrf(page),
        },
    )
    session.rollback()
    saved = session.get(Appraisal, record.id)
    assert saved.approver_id == cast.mentor.employee_id, bo.flash_text(bo.text(response))
    assert saved.assessor_id == cast.supervisor.employee_id
    assert last_entry(session, saved).comment == "Atasan dimutasi"


def test_hr_saving_the_form_with_the_officials_unchanged_is_not_asked_for_a_reason(
    client, session, cast
):
    record = bring_to(new_record(session, cast, "appraisal"), "returned")
    bo.log_in(client, session, cast.hr)
    url = f"/admin/admin_appraisals/edit/?id={record.id}"
    page = bo.text(client.get(url))
    response = client.post(
        url,
        follow_redirects=True,
        data={
            "assessor": cast.supervisor.employee_id,
            "approver": cast.manager.employee_id,
            "version_seen": record.version,
            "csrf_token": bo.csrf(page),
        },
    )
    said = bo.flash_text(bo.text(response))
    assert "reason" not in said.lower() and "alasan" not in said.lower(), said
