"""Managing webhooks: the CLI for clients and subscriptions, the API for admins."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.factories import new_record
from tests.http import always
from tests.test_webhooks_out import FAST, deliveries, drain
from workflow import intake, webhooks
from workflow.db import utcnow, write_transaction
from workflow.errors import Unauthenticated
from workflow.models import RoleName, Subscription, User, WebhookClient

# -- CLI: clients ----------------------------------------------------------------------


def test_add_client_prints_its_secret_alone_on_the_last_line(cli, session, cast):
    result = cli(
        "webhooks",
        "add-client",
        "lms",
        "--grant",
        "training_nomination.complete",
        "--grant",
        "appraisal.submit",
        "--agency",
        cast.agency.code,
    )

    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and " " not in secret
    client = session.scalar(select(WebhookClient).where(WebhookClient.name == "lms"))
    assert client.secret == secret
    assert client.grants == ["appraisal.submit", "training_nomination.complete"]
    assert client.user.has_role(RoleName.EXTERNAL_SYSTEM)
    assert client.user.agency_id == cast.agency.id and client.user.password is None
    assert "/api/v1/webhooks/lms" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Name", "--grant", "appraisal.submit"], "lowercase"),
        (["lms", "--grant", "appraisal.fly"], "no trigger 'fly'"),
        (["lms", "--grant", "payroll.submit"], "no workflow 'payroll'"),
        (["lms", "--grant", "appraisal.approve"], "may not be done by an external system"),
        (["lms", "--grant", "appraisal.submit", "--agency", "NOPE"], "no agency"),
        (["lms"], "Missing option '--grant'"),
    ],
)
def test_add_client_refuses_bad_input_with_exit_code_2(cli, session, args, message):
    result = cli("webhooks", "add-client", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert session.scalar(select(WebhookClient)) is None
    assert session.scalar(select(User).where(User.email.like("%webhooks.alur.invalid"))) is None


def test_a_client_name_is_unique(cli, session):
    assert cli("webhooks", "add-client", "lms", "--grant", "appraisal.submit").exit_code == 0
    again = cli("webhooks", "add-client", "lms", "--grant", "appraisal.submit")
    assert again.exit_code == 2 and "already exists" in again.output


def test_clients_are_listed_deactivated_rotated(cli, session):
    cli("webhooks", "add-client", "lms", "--grant", "appraisal.submit")
    old = session.scalar(select(WebhookClient)).secret
    listed = cli("webhooks", "clients")
    assert "lms" in listed.output and "appraisal.submit" in listed.output
    assert old not in listed.output

    rotated = cli("webhooks", "rotate-secret", "lms")
    assert rotated.exit_code == 0
    session.rollback()
    client = session.scalar(select(WebhookClient))
    assert client.secret == rotated.output.strip().splitlines()[-1] != old
    assert client.secrets(utcnow())[1] == old

    assert cli("webhooks", "deactivate", "lms").exit_code == 0
    session.rollback()
    assert session.scalar(select(WebhookClient.active)) is False
    assert cli("webhooks", "deactivate", "nobody").exit_code == 2


def test_receipts_are_listed_from_the_cli(cli, session, cast):
    with write_transaction(session):
        client = webhooks.add_client(session, "lms", ["appraisal.submit"])
    record = new_record(session, cast, "appraisal")
    session.commit()
    with pytest.raises(Unauthenticated):
        intake.receive(session, "lms", {"webhook-id": "m1"}, b"{}")
    body = json.dumps({"type": "appraisal.submit", "data": {"id": record.id}}).encode()
    from tests.http import signed

    intake.receive(session, "lms", signed(client.secret, body, msg_id="m2"), body)

    result = cli("webhooks", "receipts")
    lines = result.output.strip().splitlines()
    assert "m2" in lines[0] and "accepted" in lines[0]
    assert "m1" in lines[1] and "rejected" in lines[1] and "missing header" in lines[1]
    assert cli("webhooks", "receipts", "--outcome", "accepted").output.count("\n") == 1


# -- CLI: subscriptions and the outbox -------------------------------------------------


def test_subscribe_prints_the_secret_last_and_validates(cli, session):
    result = cli(
        "webhooks",
        "subscribe",
        "https://lms.example.id/alur",
        "--event",
        "appraisal.*",
        "--event",
        "training_nomination.approved",
    )
    assert result.exit_code == 0, result.output
    row = session.scalar(select(Subscription))
    assert row.secret == result.output.strip().splitlines()[-1]
    assert row.event_types == ["appraisal.*", "training_nomination.approved"]

    for bad in (
        ["ftp://x", "--event", "*"],
        ["https://x.id", "--event", "appraisal.flying"],
        ["https://x.id", "--event", "payroll.*"],
        ["https://x.id"],
    ):
        assert cli("webhooks", "subscribe", *bad).exit_code == 2
    session.rollback()
    assert len(session.scalars(select(Subscription)).all()) == 1


def test_outbox_work_once_delivers_and_reports_each_attempt(cli, session, cast, receiver, app):
    sink = receiver()
    with write_transaction(session):
        sink.secret = webhooks.add_subscription(session, sink.url, ["*"]).secret
    new_record(session, cast, "training_nomination")

    result = cli("outbox", "work", "--once", "--name", "cli-worker")

    assert result.exit_code == 0, result.output
    assert "delivered" in result.output and sink.url in result.output
    assert result.output.strip().splitlines()[-1] == "outbox worker cli-worker: 1 delivered"
    status = cli("outbox", "status").output
    assert "delivered  1" in status and "events not yet fanned out: 0" in status
    (delivery,) = deliveries(session)
    shown = cli("outbox", "show", str(delivery.id)).output
    assert "cli-worker" in shown and " 204 " in shown


def test_outbox_refuses_bad_settings_and_arguments(cli, app):
    app.config["OUTBOX_RETRY_SCHEDULE"] = "soon"
    try:
        result = cli("outbox", "work", "--once")
    finally:
        del app.config["OUTBOX_RETRY_SCHEDULE"]
    assert result.exit_code == 1 and "outbox settings" in result.output
    for connections in ("four", 0):
        app.config["MAIL_CONNECTIONS"] = connections  # as ALUR_MAIL_CONNECTIONS reads them
        try:
            result = cli("outbox", "work", "--once")
        finally:
            app.config["MAIL_CONNECTIONS"] = 4
        assert result.exit_code == 1 and "ALUR_MAIL_CONNECTIONS" in result.output
    assert cli("outbox", "redeliver").exit_code == 2
    assert cli("outbox", "redeliver", "1", "--dead").exit_code == 2
    missing = cli("outbox", "redeliver", "999")
    assert missing.exit_code == 1 and "no delivery 999" in missing.output


# -- API: subscriptions and deliveries (admins) ----------------------------------------


def test_admins_subscribe_over_the_api_and_see_the_secret_once(client, cast, bearer):
    admin = bearer(cast.admin)
    wanted = {"url": "https://siasn.example.id/hook", "event_types": ["*"]}
    created = client.post("/api/v1/subscriptions", headers=admin, json=wanted)
    assert created.status_code == 201, created.json
    assert created.json["secret"].startswith("whsec_")
    location = created.headers["Location"]
    read = client.get(location, headers=admin).json
    assert "secret" not in read and read["event_types"] == ["*"] and read["active"] is True

    paused = client.patch(location, headers=admin, json={"active": False})
    assert paused.json["active"] is False
    bad = client.post(
        "/api/v1/subscriptions",
        headers=admin,
        json={"url": "javascript:alert(1)", "event_types": ["nope.*"]},
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"url", "event_types"}
    assert client.get("/api/v1/subscriptions", headers=bearer(cast.hr)).status_code == 403
    assert client.get("/api/v1/subscriptions/999", headers=admin).status_code == 404


def test_admins_see_deliveries_with_their_attempts_and_redeliver(
    client, session, cast, bearer, receiver
):
    state = {"status": 500}
    sink = receiver(script=lambda _id, _n: (state["status"], {}, 0.0))
    with write_transaction(session):
        sink.secret = webhooks.add_subscription(session, sink.url, ["training_nomination.*"]).secret
    new_record(session, cast, "training_nomination")
    from dataclasses import replace

    drain(
        session,
        replace(FAST, schedule=(0.01,)),
        until=lambda: deliveries(session)[0].status == "dead",
    )
    (delivery,) = deliveries(session)
    admin = bearer(cast.admin)

    listed = client.get(
        "/api/v1/webhook-deliveries", query_string={"status": "dead"}, headers=admin
    ).json["items"]
    assert [d["id"] for d in listed] == [delivery.id]
    assert listed[0]["event_type"] == "training_nomination.draft"
    detail = client.get(f"/api/v1/webhook-deliveries/{delivery.id}", headers=admin).json
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500]
    assert all(a["outcome"] in ("retry", "dead") for a in detail["attempt_log"])
    assert detail["payload"]["to"] == "draft"

    state["status"] = 204
    redone = client.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver", headers=admin)
    assert redone.status_code == 200 and redone.json["status"] == "pending"
    drain(session)
    assert deliveries(session)[0].status == "delivered"
    assert client.post("/api/v1/webhook-deliveries/999/redeliver", headers=admin).status_code == 404
    assert (
        client.post(
            f"/api/v1/webhook-deliveries/{delivery.id}/redeliver", headers=bearer(cast.hr)
        ).status_code
        == 403
    )


def test_redelivering_to_a_disabled_subscription_is_409(client, session, cast, bearer, receiver):
    sink = receiver(script=always(410))
    with write_transaction(session):
        sub = webhooks.add_subscription(session, sink.url, ["*"])
        sink.secret = sub.secret
    new_record(session, cast, "training_nomination")
    drain(session)
    (delivery,) = deliveries(session)
    admin = bearer(cast.admin)
    answer = client.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver", headers=admin)
    assert answer.status_code == 409 and "disabled" in answer.json["detail"]
    bulk = client.post(f"/api/v1/subscriptions/{sub.id}/redeliver-dead", headers=admin)
    assert bulk.status_code == 409
    client.patch(f"/api/v1/subscriptions/{sub.id}", headers=admin, json={"active": True})
    bulk = client.post(f"/api/v1/subscriptions/{sub.id}/redeliver-dead", headers=admin)
    assert bulk.status_code == 200 and bulk.json == {"redelivered": 1}


def test_admins_list_webhook_clients_without_secrets(client, session, cast, bearer):
    with write_transaction(session):
        webhooks.add_client(session, "siasn", ["appraisal.submit"])
    items = client.get("/api/v1/webhook-clients", headers=bearer(cast.admin)).json["items"]
    assert items[0]["name"] == "siasn" and items[0]["url"] == "/api/v1/webhooks/siasn"
    assert not any("secret" in key for key in items[0])
