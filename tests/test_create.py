"""Creating records: who may, what data is accepted, and the audit entry it leaves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from workflow import Conflict, InvalidPayload, NotFound, create, fire, get_record
from workflow.models import Appraisal, AuditEntry, TrainingNomination


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_employee_creates_own_nomination_audited_as_create(session, cast):
    record = create(
        session,
        "training_nomination",
        cast.subject,
        {
            "employee_id": cast.subject_employee.id,
            "program_id": cast.program.id,
            "justification": "Meningkatkan kualitas layanan",
        },
        via="api",
    )
    assert (record.state, record.agency_id, record.created_by_id, record.version) == (
        "draft",
        cast.agency.id,
        cast.subject.id,
        1,
    )
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.trigger, entry.from_state, entry.to_state, entry.seq) == (
        "create",
        None,
        "draft",
        1,
    )


def test_a_colleague_may_not_create_a_record_about_someone_else(session, cast):
    # a colleague may not see another's personal data: refused as about nobody known
    with pytest.raises(InvalidPayload, match="unknown employee"):
        create(
            session,
            "training_nomination",
            cast.colleague,
            {"employee_id": cast.subject_employee.id, "program_id": cast.program.id},
            via="api",
        )
    assert count(session, TrainingNomination) == 0
    assert count(session, AuditEntry) == 0


def test_hr_of_another_agency_may_not_create(session, cast):
    with pytest.raises(InvalidPayload, match="unknown employee"):
        create(
            session,
            "appraisal",
            cast.hr_other,
            {"employee_id": cast.subject_employee.id, "year": 2025},
            via="api",
        )


def test_a_mentor_named_as_their_own_mentee_is_refused_before_anyone_is_looked_up(session, cast):
    # The data's own check comes first: the refusal names mentor_id, whoever the id is.
    data = {
        "mentor_id": cast.subject_employee.id,
        "mentee_id": cast.subject_employee.id,
        "goals": "x",
        "start_date": "2026-01-05",
        "end_date": "2026-03-05",
        "jp": 10,
    }
    for actor in (cast.hr, cast.hr_other):
        with pytest.raises(InvalidPayload) as refused:
            create(session, "mentoring_assignment", actor, data, via="api")
        assert refused.value.errors == {"mentor_id": ["Must differ from mentee_id."]}


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"program_id": 1}, {"employee_id"}),
        ({"employee_id": "7", "program_id": 1}, {"employee_id"}),
        ({"employee_id": 1, "program_id": 1, "state": "approved"}, {"state"}),
        ({"employee_id": 999999, "program_id": 1}, {"employee_id"}),
    ],
    ids=["missing", "wrong type", "unknown field", "unknown employee"],
)
def test_invalid_data_is_refused_with_field_errors(session, cast, data, fields):
    if data.get("program_id") == 1:
        data["program_id"] = cast.program.id
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "training_nomination", cast.admin, data, via="api")
    assert set(invalid.value.errors) == fields
    assert count(session, TrainingNomination) == 0


def test_one_open_nomination_per_employee_and_program(session, cast):
    data = {"employee_id": cast.subject_employee.id, "program_id": cast.program.id}
    first = create(session, "training_nomination", cast.subject, data, via="api")
    with pytest.raises(Conflict):
        create(session, "training_nomination", cast.subject, data, via="api")
    fire(first, "withdraw", cast.subject, via="api")
    assert create(session, "training_nomination", cast.subject, data, via="api").state == "draft"


def test_appraisal_takes_assessor_and_approver_from_the_supervisor_chain(session, cast):
    record = create(
        session,
        "appraisal",
        cast.hr,
        {"employee_id": cast.subject_employee.id, "year": 2025},
        via="api",
    )
    assert (record.assessor_id, record.approver_id, record.period) == (
        cast.supervisor.employee_id,
        cast.manager.employee_id,
        "annual",
    )


def test_appraisal_without_a_supervisor_needs_an_assessor(session, cast):
    top = cast.manager.employee.supervisor  # the head of the agency has no supervisor
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.admin, {"employee_id": top.id, "year": 2025}, via="api")
    assert "assessor_id" in invalid.value.errors


def test_one_appraisal_per_employee_and_period(session, cast):
    data = {"employee_id": cast.subject_employee.id, "year": 2025, "period": "Q3"}
    create(session, "appraisal", cast.subject, data, via="api")
    with pytest.raises(Conflict):
        create(session, "appraisal", cast.subject, data, via="api")
    with pytest.raises(InvalidPayload) as invalid:
        create(session, "appraisal", cast.subject, {**data, "period": "Q5"}, via="api")
    assert "period" in invalid.value.errors
    assert count(session, Appraisal) == 1


def test_mentor_must_not_be_the_mentee_and_dates_must_be_ordered(session, cast):
    base = {
        "mentor_id": cast.mentor.employee_id,
        "mentee_id": cast.subject_employee.id,
        "goals": "Modul ajar",
        "start_date": "2026-02-01",
        "end_date": "2026-05-01",
        "jp": 16,
    }
    with pytest.raises(InvalidPayload) as invalid:
        create(
            session,
            "mentoring_assignment",
            cast.hr,
            {**base, "mentor_id": cast.subject_employee.id},
            via="api",
        )
    assert "mentor_id" in invalid.value.errors
    with pytest.raises(InvalidPayload) as invalid:
        create(
            session, "mentoring_assignment", cast.hr, {**base, "end_date": "2026-01-01"}, via="api"
        )
    assert "end_date" in invalid.value.errors
    record = create(session, "mentoring_assignment", cast.hr, base, via="api")
    assert (record.start_date, record.jp) == (date(2026, 2, 1), 16)


def test_unknown_records_and_workflows_are_not_found(session, cast):
    with pytest.raises(NotFound):
        get_record(session, "appraisal", 424242)
    with pytest.raises(NotFound):
        get_record(session, "promotion", 1)


def test_an_unknown_channel_is_a_programming_error(session, cast):
    with pytest.raises(ValueError, match="unknown channel"):
        create(
            session,
            "appraisal",
            cast.subject,
            {"employee_id": cast.subject_employee.id, "year": 2025},
            via="fax",
        )
