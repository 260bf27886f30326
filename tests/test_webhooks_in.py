"""Incoming webhooks over real HTTP: signed steps are applied once; everything else is refused."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from tests.factories import new_record
from tests.http import signed
from workflow import webhooks
from workflow.db import write_transaction
from workflow.models import Appraisal, AuditEntry, WebhookReceipt

GRANTS = ["appraisal.submit", "training_nomination.complete"]


@pytest.fixture
def hook(session, cast):
    """The e-Kinerja client, limited to the cast's agency, and a draft appraisal."""
    with write_transaction(session):
        client = webhooks.add_client(session, "ekinerja", GRANTS, agency_code=cast.agency.code)
    record = new_record(session, cast, "appraisal")
    session.commit()
    return client, record


def post(
    live_server,
    secret,
    document,
    *,
    client="ekinerja",
    msg_id=None,
    at=None,
    headers=None,
    raw: bytes | None = None,
):
    body = raw if raw is not None else json.dumps(document).encode()
    sent = signed(secret, body, msg_id=msg_id or f"msg_{uuid.uuid4().hex}", at=at)
    sent.update(headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    return httpx.post(f"{live_server.url}/api/v1/webhooks/{client}", content=body, headers=sent)


def submit(record_id, **data):
    return {
        "type": "appraisal.submit",
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {"id": record_id, **data},
    }


def state_of(session, record):
    session.rollback()
    return session.scalar(select(Appraisal.state).where(Appraisal.id == record.id))


def entries(session, record) -> list[AuditEntry]:
    session.rollback()
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.record_id == record.id, AuditEntry.workflow == "appraisal")
        .order_by(AuditEntry.seq)
    ).all()


def receipts(session) -> list[WebhookReceipt]:
    session.rollback()
    return session.scalars(select(WebhookReceipt).order_by(WebhookReceipt.id)).all()


def test_a_signed_step_is_applied_through_the_engine_as_the_client(session, live_server, hook):
    client, record = hook
    response = post(
        live_server, client.secret, submit(record.id, comment="dari e-Kinerja"), msg_id="msg_1"
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "accepted"
    assert body["record"] == {
        "workflow": "appraisal",
        "id": record.id,
        "state": "submitted",
        "version": 2,
    }
    assert state_of(session, record) == "submitted"
    last = entries(session, record)[-1]
    assert (last.trigger, last.via, last.comment) == ("submit", "webhook", "dari e-Kinerja")
    assert last.actor_id == client.user_id
    assert last.actor.name == "ekinerja (webhook client)"
    (receipt,) = receipts(session)
    assert (receipt.outcome, receipt.webhook_id, receipt.type, receipt.record_id) == (
        "accepted",
        "msg_1",
        "appraisal.submit",
        record.id,
    )


def test_the_step_emits_its_outbox_event_like_any_other_change(session, live_server, hook):
    from workflow.models import OutboxEvent

    client, record = hook
    assert post(live_server, client.secret, submit(record.id)).status_code == 200
    session.rollback()
    event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert event.type == "appraisal.submitted"
    assert event.payload["via"] == "webhook" and event.payload["actor"] == client.user_id


def _refused(session, record, response, status, error):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert state_of(session, record) == "draft"
    assert len(entries(session, record)) == 1  # only its creation
    last = receipts(session)[-1]
    assert (last.outcome, last.error) == ("rejected", error)
    assert last.reason
    return response.json()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"webhook-signature": "v1,AAAA"}, id="wrong-signature"),
        pytest.param({"webhook-signature": None}, id="missing-signature"),
        pytest.param({"webhook-id": None}, id="missing-id"),
        pytest.param({"webhook-timestamp": None}, id="missing-timestamp"),
        pytest.param({"webhook-signature": "garbage"}, id="signature-without-version"),
        pytest.param({"webhook-signature": "v1,@@not base64@@"}, id="signature-not-base64"),
        pytest.param({"webhook-signature": "v1,a,b"}, id="signature-too-many-parts"),
        pytest.param({"webhook-timestamp": "yesterday"}, id="timestamp-not-a-number"),
        pytest.param({"webhook-timestamp": "nan"}, id="timestamp-nan"),
        pytest.param({"webhook-timestamp": "1e400"}, id="timestamp-overflow"),
    ],
)
def test_a_missing_or_malformed_signature_header_is_401(session, live_server, hook, change):
    client, record = hook
    response = post(live_server, client.secret, submit(record.id), headers=change)
    _refused(session, record, response, 401, "unauthenticated")


def test_a_body_signed_with_another_secret_is_401(session, live_server, hook):
    _client, record = hook
    response = post(live_server, webhooks.new_secret(), submit(record.id))
    body = _refused(session, record, response, 401, "unauthenticated")
    assert "no signature matches" in body["detail"]


def test_a_body_changed_after_signing_is_401(session, live_server, hook):
    client, record = hook
    body = json.dumps(submit(record.id)).encode()
    headers = signed(client.secret, body, msg_id="msg_x")
    tampered = body.replace(b'"data"', b' "data"')  # same JSON, other bytes
    response = httpx.post(
        f"{live_server.url}/api/v1/webhooks/ekinerja", content=tampered, headers=headers
    )
    _refused(session, record, response, 401, "unauthenticated")


@pytest.mark.parametrize("offset", [-6, 6], ids=["stale", "future"])
def test_a_timestamp_more_than_five_minutes_off_is_401(session, live_server, hook, offset):
    client, record = hook
    at = datetime.now(UTC) + timedelta(minutes=offset)
    response = post(live_server, client.secret, submit(record.id), at=at)
    body = _refused(session, record, response, 401, "unauthenticated")
    assert "5 minutes" in body["detail"]


def test_a_timestamp_four_minutes_off_is_accepted(session, live_server, hook):
    client, record = hook
    at = datetime.now(UTC) - timedelta(minutes=4)
    assert post(live_server, client.secret, submit(record.id), at=at).status_code == 200


def test_any_of_several_signatures_may_match_during_a_key_rotation(session, live_server, hook):
    client, record = hook
    body = json.dumps(submit(record.id)).encode()
    headers = signed(client.secret, body, msg_id="msg_rot")
    other = signed(webhooks.new_secret(), body, msg_id="msg_rot")["webhook-signature"]
    headers["webhook-signature"] = f"{other} {headers['webhook-signature']}"
    response = httpx.post(
        f"{live_server.url}/api/v1/webhooks/ekinerja", content=body, headers=headers
    )
    assert response.status_code == 200, response.text


def test_after_rotation_the_old_secret_verifies_for_a_grace_period(session, live_server, hook):
    client, record = hook
    old = client.secret
    with write_transaction(session):
        row = session.merge(client)
        new = webhooks.rotate_secret(row)
    assert new != old
    assert post(live_server, old, submit(record.id)).status_code == 200


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        (b"not json", 400, "malformed"),
        (b"[1, 2]", 400, "malformed"),
        (b'{"type": "appraisal.submit"}', 422, "invalid"),
        (b'{"type": "appraisal.submit", "data": {}}', 422, "invalid"),
        (b'{"type": "appraisal.submit", "data": {"id": "1"}}', 422, "invalid"),
        (b'{"type": "appraisal.submit", "data": {"id": 1}, "extra": 1}', 422, "invalid"),
        (b'{"type": 7, "data": {"id": 1}}', 422, "invalid"),
        (
            b'{"type": "appraisal.submit", "data": {"id": 1, "comment": "a\\u0000b"}}',
            422,
            "invalid",
        ),
        (b'\xff\xfe{"type"', 400, "malformed"),
    ],
)
def test_a_malformed_body_is_refused_with_its_reason(
    session, live_server, hook, raw, status, error
):
    client, record = hook
    response = post(live_server, client.secret, None, raw=raw)
    _refused(session, record, response, status, error)


def test_a_trigger_the_client_was_not_granted_is_403(session, live_server, hook, cast):
    client, record = hook
    document = {"type": "appraisal.withdraw", "data": {"id": record.id}}
    body = _refused(session, record, post(live_server, client.secret, document), 403, "forbidden")
    assert "appraisal.submit" in body["detail"]  # says what it is granted


def test_an_unknown_record_is_404(session, live_server, hook):
    client, record = hook
    response = post(live_server, client.secret, submit(record.id + 1000))
    _refused(session, record, response, 404, "not_found")


def test_a_record_of_another_agency_is_404_to_an_agency_bound_client(
    session, live_server, hook, cast
):
    client, record = hook
    from tests import factories

    away = factories.unit(session, cast.other_agency)
    head = factories.employee(session, away, rank="IV/c")
    boss = factories.employee(session, away, supervisor=head, rank="IV/a")
    other_subject = factories.employee(session, away, supervisor=boss)
    session.commit()
    other = new_record(session, cast, "appraisal", employee_id=other_subject.id)
    session.commit()
    response = post(live_server, client.secret, submit(other.id))
    _refused(session, record, response, 404, "not_found")
    assert state_of(session, other) == "draft"


def test_a_step_not_allowed_from_the_state_is_409_with_the_allowed_triggers(
    session, live_server, hook
):
    client, record = hook
    assert post(live_server, client.secret, submit(record.id)).status_code == 200
    response = post(live_server, client.secret, submit(record.id))  # a new id, already submitted
    assert response.status_code == 409
    assert response.json()["state"] == "submitted" and "allowed" in response.json()
    assert receipts(session)[-1].error == "transition_not_allowed"


def test_an_unknown_client_is_404_and_recorded(session, live_server, hook):
    client, record = hook
    response = post(live_server, client.secret, submit(record.id), client="nobody")
    _refused(session, record, response, 404, "not_found")
    assert receipts(session)[-1].client_id is None


def test_a_deactivated_client_is_403(session, live_server, hook):
    client, record = hook
    with write_transaction(session):
        webhooks.set_client_active(session.merge(client), False)
    _refused(session, record, post(live_server, client.secret, submit(record.id)), 403, "forbidden")


def test_a_client_whose_account_was_deactivated_alone_is_403_for_any_record(
    session, live_server, hook
):
    # The engine asks who acts before it reads the record, as for the API: the client is
    # told its account is off, whether or not the record exists.
    client, record = hook
    with write_transaction(session):
        session.merge(client).user.active = False
    body = _refused(
        session, record, post(live_server, client.secret, submit(record.id)), 403, "forbidden"
    )
    assert "deactivated" in body["detail"]
    missing = post(live_server, client.secret, submit(record.id + 1000), msg_id="msg_other")
    assert missing.status_code == 403


def test_a_repeated_webhook_id_returns_the_first_result_and_changes_nothing(
    session, live_server, hook
):
    client, record = hook
    first = post(live_server, client.secret, submit(record.id), msg_id="msg_same")
    again = post(live_server, client.secret, submit(record.id), msg_id="msg_same")

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["record"] == first.json()["record"]
    assert again.json()["first_receipt"] == first.json()["receipt"]
    assert again.json()["outcome"] == "duplicate"
    assert [e.trigger for e in entries(session, record)] == ["create", "submit"]
    assert [r.outcome for r in receipts(session)] == ["accepted", "duplicate"]


def test_the_same_webhook_id_from_another_client_is_its_own_message(
    session, live_server, hook, cast
):
    client, record = hook
    with write_transaction(session):
        other = webhooks.add_client(session, "siasn", ["appraisal.submit"])
    second = new_record(session, cast, "appraisal", year=2024)
    session.commit()
    assert post(live_server, client.secret, submit(record.id), msg_id="m1").status_code == 200
    response = post(live_server, other.secret, submit(second.id), client="siasn", msg_id="m1")
    assert response.json()["outcome"] == "accepted"


def test_concurrent_repeats_of_one_webhook_id_apply_once(session, live_server, hook):
    client, record = hook
    body = json.dumps(submit(record.id)).encode()
    headers = signed(client.secret, body, msg_id="msg_burst")
    answers, start = [], threading.Barrier(8)

    def send():
        start.wait()
        answers.append(
            httpx.post(
                f"{live_server.url}/api/v1/webhooks/ekinerja",
                content=body,
                headers=headers,
                timeout=60,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(a.status_code for a in answers) == [200] * 8, [a.text for a in answers]
    assert sorted(a.json()["outcome"] for a in answers) == ["accepted"] + ["duplicate"] * 7
    assert {a.json()["record"]["version"] for a in answers} == {2}
    assert [e.trigger for e in entries(session, record)] == ["create", "submit"]
    outcomes = [r.outcome for r in receipts(session)]
    assert outcomes.count("accepted") == 1 and outcomes.count("duplicate") == 7


def test_receipts_are_visible_to_admins_over_the_api(session, live_server, hook, cast, bearer):
    client, record = hook
    post(live_server, client.secret, submit(record.id), msg_id="ok")
    post(live_server, "whsec_" + "A" * 44, submit(record.id), msg_id="bad")
    url = f"{live_server.url}/api/v1/webhook-receipts"

    listed = httpx.get(url, headers=bearer(cast.admin)).json()["items"]
    assert [(r["webhook_id"], r["outcome"]) for r in listed] == [
        ("ok", "accepted"),
        ("bad", "rejected"),
    ]
    assert listed[1]["error"] == "unauthenticated" and listed[1]["reason"]
    rejected = httpx.get(url, params={"outcome": "rejected"}, headers=bearer(cast.admin))
    assert [r["webhook_id"] for r in rejected.json()["items"]] == ["bad"]
    assert httpx.get(url, headers=bearer(cast.hr)).status_code == 403
    assert httpx.get(url).status_code == 401


def test_an_oversized_body_is_413_and_nothing_changes(session, live_server, hook):
    client, record = hook
    raw = json.dumps({**submit(record.id), "pad": "x" * (3 * 1024 * 1024)}).encode()
    response = post(live_server, client.secret, None, raw=raw)
    assert response.status_code == 413
    assert state_of(session, record) == "draft"
    assert session.scalar(select(func.count()).select_from(WebhookReceipt)) == 0


def test_e_kinerja_pushes_a_realisation_and_the_lms_a_certificate(session, live_server, cast):
    import base64

    from tests.test_realisation import a_pdf
    from workflow import fire
    from workflow.models import Evidence, Realisation

    plan = new_record(session, cast, "skp_plan")
    plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
    rhk_id = plan.items[0].id
    with write_transaction(session):
        ekinerja = webhooks.add_client(
            session, "ekinerja", ["realisation.record"], agency_code=cast.agency.code
        )
        lms = webhooks.add_client(session, "lms", ["evidence.link", "evidence.file"])
    session.commit()

    def command(kind, target, **data):
        return {"type": kind, "data": {"id": target, **data}}

    pushed = post(
        live_server,
        ekinerja.secret,
        command("realisation.record", rhk_id, period="Q1", value="3 laporan"),
        msg_id="real-1",
    )
    assert pushed.status_code == 200, pushed.text
    realisation_id = pushed.json()["record"]["id"]
    again = post(
        live_server,
        ekinerja.secret,
        command("realisation.record", rhk_id, period="Q1", value="3 laporan"),
        msg_id="real-1",
    )
    assert again.json()["outcome"] == "duplicate"
    assert again.json()["record"] == {"type": "realisation.record", "id": realisation_id}
    pdf = a_pdf()
    file = command(
        "evidence.file",
        realisation_id,
        name="sertifikat.pdf",
        content_base64=base64.b64encode(pdf).decode(),
    )
    assert post(live_server, lms.secret, file, client="lms").status_code == 200
    link = command("evidence.link", realisation_id, url="https://lms.example/c/1")
    assert post(live_server, lms.secret, link, client="lms").status_code == 200
    # refused: not granted, not base64, an executable, an unknown field
    not_granted = command("evidence.link", realisation_id, url="https://x.example")
    assert post(live_server, ekinerja.secret, not_granted).status_code == 403
    garbage = command("evidence.file", realisation_id, name="x.pdf", content_base64="@@@")
    assert post(live_server, lms.secret, garbage, client="lms").status_code == 422
    exe = command(
        "evidence.file",
        realisation_id,
        name="x.pdf",
        content_base64=base64.b64encode(b"MZ" + b"\0" * 100).decode(),
    )
    assert post(live_server, lms.secret, exe, client="lms").status_code == 422
    extra = command("realisation.record", rhk_id, period="Q2", value="1", approver="me")
    assert post(live_server, ekinerja.secret, extra).status_code == 422
    session.rollback()
    (row,) = session.scalars(select(Realisation)).all()
    assert (row.value, row.updated_by_id) == ("3 laporan", ekinerja.user_id)
    kinds = sorted(e.kind for e in session.scalars(select(Evidence)))
    assert kinds == ["file", "link"]


def test_a_realisation_of_another_agency_is_404_to_an_agency_bound_client(
    session, live_server, cast
):
    from workflow import fire

    plan = new_record(session, cast, "skp_plan")
    plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
    with write_transaction(session):
        away = webhooks.add_client(
            session, "ekinerja-lain", ["realisation.record"], agency_code=cast.other_agency.code
        )
    session.commit()
    document = {
        "type": "realisation.record",
        "data": {"id": plan.items[0].id, "period": "Q1", "value": "1"},
    }
    answer = post(live_server, away.secret, document, client="ekinerja-lain")
    assert answer.status_code == 404
