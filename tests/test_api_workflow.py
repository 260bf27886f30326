"""Workflow endpoints: transitions with If-Match and Idempotency-Key, bulk, history, inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import new_record
from tests.workflow_paths import RATINGS, bring_to
from workflow.models import AuditEntry

NOMINATIONS = "/api/v1/training-nominations"


def transitions(record) -> str:
    return f"/api/v1/{record.__tablename__.replace('_', '-')}/{record.id}/transitions"


def audit_count(session, trigger: str) -> int:
    session.rollback()
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.trigger == trigger)
    )


@pytest.fixture
def submitted(session, cast):
    return bring_to(new_record(session, cast, "training_nomination"), "submitted")


def test_create_returns_201_with_location_and_etag(client, cast, bearer):
    response = client.post(
        NOMINATIONS,
        headers=bearer(cast.subject),
        json={"employee_id": cast.subject_employee.id, "program_id": cast.program.id},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["state"], body["version"]) == ("draft", 1)
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"{NOMINATIONS}/{body['id']}")


def test_state_is_read_only(client, cast, bearer):
    response = client.post(
        NOMINATIONS,
        headers=bearer(cast.subject),
        json={
            "employee_id": cast.subject_employee.id,
            "program_id": cast.program.id,
            "state": "approved",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"state": ["Unknown field."]}


def test_fire_a_transition_and_read_the_history(client, cast, bearer, submitted):
    headers = bearer(cast.supervisor)
    response = client.post(
        transitions(submitted),
        headers=headers,
        json={"trigger": "review", "comment": "Layak diusulkan"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "reviewed"
    history = client.get(transitions(submitted), headers=headers).get_json()["items"]
    assert [(h["trigger"], h["to_state"], h["via"]) for h in history] == [
        ("create", "draft", "system"),
        ("submit", "submitted", "system"),
        ("review", "reviewed", "api"),
    ]
    assert history[-1]["actor_id"] == cast.supervisor.id
    assert history[-1]["comment"] == "Layak diusulkan"


def test_refused_step_names_the_allowed_triggers(client, cast, bearer, submitted):
    response = client.post(
        transitions(submitted), headers=bearer(cast.supervisor), json={"trigger": "approve"}
    )
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["allowed"] == ["review", "return", "reject"]
    assert problem["state"] == "submitted"
    assert problem["type"].endswith("/transition_not_allowed")


def test_actions_list_what_the_caller_may_fire_with_the_fields(session, client, cast, bearer):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    body = client.get(
        f"/api/v1/appraisals/{record.id}/actions", headers=bearer(cast.supervisor)
    ).get_json()
    review = body["actions"][0]
    assert (body["state"], review["trigger"]) == ("submitted", "review")
    assert review["fields"] == [
        "work_result_rating",
        "behaviour_rating",
        "feedback",
        "behaviour_feedback",
    ]
    assert [a["needs_comment"] for a in body["actions"]] == [False, True, True]


class TestIfMatch:
    def test_current_version_passes_and_returns_the_new_etag(self, client, cast, bearer, submitted):
        headers = bearer(cast.supervisor)
        etag = client.get(f"{NOMINATIONS}/{submitted.id}", headers=headers).headers["ETag"]
        response = client.post(
            transitions(submitted),
            json={"trigger": "review"},
            headers={**headers, "If-Match": etag},
        )
        assert response.status_code == 200
        assert response.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'

    @pytest.mark.parametrize("if_match", ['"1"', "1", '"banana"', '"99999999999"'])
    def test_stale_or_bogus_version_is_412_and_nothing_changes(
        self, session, client, cast, bearer, submitted, if_match
    ):
        headers = {**bearer(cast.supervisor), "If-Match": if_match}
        response = client.post(transitions(submitted), json={"trigger": "review"}, headers=headers)
        assert response.status_code == 412
        assert response.content_type == "application/problem+json"
        assert audit_count(session, "review") == 0


class TestIdempotencyKey:
    def test_a_retry_gets_the_first_answer_and_changes_nothing(
        self, session, client, cast, bearer, submitted
    ):
        headers = {**bearer(cast.supervisor), "Idempotency-Key": "4e6f7a0b"}
        first = client.post(transitions(submitted), json={"trigger": "review"}, headers=headers)
        again = client.post(transitions(submitted), json={"trigger": "review"}, headers=headers)
        assert first.status_code == again.status_code == 200
        assert first.get_json() == again.get_json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert audit_count(session, "review") == 1

    def test_same_key_with_another_body_is_422(self, session, client, cast, bearer, submitted):
        headers = {**bearer(cast.supervisor), "Idempotency-Key": "k-1"}
        client.post(transitions(submitted), json={"trigger": "review"}, headers=headers)
        other = client.post(
            transitions(submitted), headers=headers, json={"trigger": "return", "comment": "x"}
        )
        assert other.status_code == 422
        assert other.get_json()["type"].endswith("/idempotency_key_reused")
        assert audit_count(session, "return") == 0

    def test_keys_belong_to_their_user(self, session, client, cast, bearer):
        one = bring_to(new_record(session, cast, "appraisal"), "submitted")
        key = {"Idempotency-Key": "shared"}
        ok = client.post(
            transitions(one),
            headers={**bearer(cast.supervisor), **key},
            json={"trigger": "review", "data": RATINGS},
        )
        assert ok.status_code == 200
        other = client.post(
            transitions(one), headers={**bearer(cast.manager), **key}, json={"trigger": "approve"}
        )
        assert other.status_code == 200
        assert other.get_json()["state"] == "approved"

    def test_a_refused_request_is_not_remembered(self, session, client, cast, bearer, submitted):
        headers = {**bearer(cast.supervisor), "Idempotency-Key": "retry-me"}
        refused = client.post(transitions(submitted), json={"trigger": "approve"}, headers=headers)
        assert refused.status_code == 409
        assert (
            client.post(
                transitions(submitted), json={"trigger": "approve"}, headers=headers
            ).status_code
            == 409
        )


def test_bulk_items_succeed_or_fail_on_their_own(session, client, cast, bearer):
    programs = [factories.program(session) for _ in range(3)]
    session.commit()
    records = [
        bring_to(new_record(session, cast, "training_nomination", program_id=p.id), "submitted")
        for p in programs
    ]
    other = bring_to(new_record(session, cast, "training_nomination"), "reviewed")
    response = client.post(
        f"{NOMINATIONS}/transitions",
        headers=bearer(cast.supervisor),
        json={
            "items": [
                {"id": records[0].id, "trigger": "review"},
                {"id": records[1].id, "trigger": "approve"},
                {"id": 999999, "trigger": "review"},
                {"id": records[2].id, "trigger": "review", "version": 1},
                {"id": other.id, "trigger": "return"},
            ]
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert [(r["ok"], r["status"]) for r in body["results"]] == [
        (True, 200),
        (False, 409),
        (False, 404),
        (False, 412),
        (False, 403),
    ]
    assert (body["succeeded"], body["failed"]) == (1, 4)
    assert body["results"][0]["state"] == "reviewed"
    assert body["results"][1]["problem"]["allowed"] == ["review", "return", "reject"]
    # sent as built, not dumped: still the documented shape, field for field
    from schemas.workflow_record import BulkResponseSchema

    assert BulkResponseSchema().dump(body) == body


def test_pagination_is_stable_while_records_are_added(session, client, cast, bearer):
    programs = [factories.program(session) for _ in range(7)]
    session.commit()
    for program in programs[:5]:
        new_record(session, cast, "training_nomination", program_id=program.id)
    headers = bearer(cast.hr)
    first = client.get(f"{NOMINATIONS}?limit=2", headers=headers).get_json()
    seen = [r["id"] for r in first["items"]]
    for program in programs[5:]:  # arrive while the client pages
        new_record(session, cast, "training_nomination", program_id=program.id)
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"{NOMINATIONS}?limit=2&cursor={cursor}", headers=headers).get_json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7


def test_filters_narrow_the_list(session, client, cast, bearer):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    bring_to(new_record(session, cast, "appraisal", period="Q2"), "withdrawn")
    headers = bearer(cast.hr)
    by_state = client.get("/api/v1/appraisals?state=withdrawn", headers=headers).get_json()
    assert [r["period"] for r in by_state["items"]] == ["Q2"]
    by_period = client.get("/api/v1/appraisals?period=annual&year=2025", headers=headers)
    assert [r["state"] for r in by_period.get_json()["items"]] == ["submitted"]


def test_inbox_pages_oldest_first(session, client, cast, bearer):
    made = [
        bring_to(new_record(session, cast, "appraisal", period=f"M0{m}"), "submitted")
        for m in range(1, 4)
    ]
    headers = bearer(cast.supervisor)
    page = client.get("/api/v1/inbox?limit=2", headers=headers).get_json()
    rest = client.get(
        f"/api/v1/inbox?limit=2&cursor={page['next_cursor']}", headers=headers
    ).get_json()
    ids = [i["id"] for i in page["items"] + rest["items"]]
    assert ids == [r.id for r in made]
    assert rest["next_cursor"] is None
    assert page["items"][0]["actions"][0]["trigger"] == "review"


def test_concurrent_retries_with_one_key_apply_once_and_answer_alike(
    app, session, cast, bearer, submitted
):
    from tests.races import race

    headers = {**bearer(cast.supervisor), "Idempotency-Key": "double-click"}
    path = transitions(submitted)
    answers = {}

    def post(slot: int) -> None:
        response = app.test_client().post(path, json={"trigger": "review"}, headers=headers)
        answers[slot] = (response.status_code, response.get_json())

    race(submitted.id, post)
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    assert audit_count(session, "review") == 1
