"""Editing a record's fields while it is a draft or returned, through the engine and the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import Forbidden, InvalidPayload, StaleVersion, TransitionNotAllowed, edit
from workflow.models import AuditEntry


def test_the_creator_side_may_edit_a_draft_and_it_is_audited(session, cast):
    record = new_record(session, cast, "training_nomination")
    record = edit(
        record,
        cast.subject,
        {"justification": "Untuk layanan publik"},
        via="api",
        expected_version=record.version,
    )
    assert (record.justification, record.state, record.version) == (
        "Untuk layanan publik",
        "draft",
        2,
    )
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.trigger, last.from_state, last.to_state) == ("edit", "draft", "draft")


def test_a_returned_record_may_be_edited_a_submitted_one_may_not(session, cast):
    returned = bring_to(new_record(session, cast, "mentoring_assignment"), "returned")
    edited = edit(returned, cast.hr, {"jp": 24, "end_date": "2026-06-30"}, via="api")
    assert (edited.jp, edited.end_date) == (24, date(2026, 6, 30))
    submitted = bring_to(new_record(session, cast, "appraisal"), "submitted")
    with pytest.raises(TransitionNotAllowed, match="only while draft or returned"):
        edit(
            submitted,
            cast.hr,
            {"assessor_id": cast.mentor.employee_id, "reason": "Mutasi"},
            via="api",
        )


def test_others_may_not_edit(session, cast):
    record = new_record(session, cast, "training_nomination")
    with pytest.raises(Forbidden):
        edit(record, cast.colleague, {"justification": "x"}, via="api")


def test_invalid_edits_are_refused(session, cast):
    mentoring = new_record(session, cast, "mentoring_assignment")
    with pytest.raises(InvalidPayload) as invalid:
        edit(mentoring, cast.hr, {"end_date": "2025-01-01"}, via="api")
    assert "end_date" in invalid.value.errors
    with pytest.raises(InvalidPayload):
        edit(mentoring, cast.hr, {"state": "approved"}, via="api")
    with pytest.raises(InvalidPayload):
        edit(mentoring, cast.hr, {}, via="api")
    appraisal = new_record(session, cast, "appraisal")
    with pytest.raises(InvalidPayload) as invalid:
        edit(
            appraisal,
            cast.hr,
            {"assessor_id": cast.manager.employee_id, "reason": "Mutasi"},
            via="api",
        )
    assert "assessor_id" in invalid.value.errors  # the approver cannot also assess


def test_stale_edits_are_refused(session, cast):
    record = new_record(session, cast, "training_nomination")
    with pytest.raises(StaleVersion):
        edit(record, cast.subject, {"justification": "x"}, via="api", expected_version=7)


def test_patch_over_the_api_honours_if_match(session, client, cast, bearer):
    record = new_record(session, cast, "appraisal")
    path = f"/api/v1/appraisals/{record.id}"
    headers = bearer(cast.hr)
    change = {"assessor_id": cast.mentor.employee_id, "reason": "Mutasi"}
    stale = client.patch(path, headers={**headers, "If-Match": '"9"'}, json=change)
    assert stale.status_code == 412
    etag = client.get(path, headers=headers).headers["ETag"]
    done = client.patch(path, headers={**headers, "If-Match": etag}, json=change)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["assessor_id"] == cast.mentor.employee_id
    outsider = client.patch(
        path, headers=bearer(cast.colleague), json={"assessor_id": cast.supervisor.employee_id}
    )
    assert outsider.status_code == 404
