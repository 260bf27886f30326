"""Outgoing webhooks cannot be turned against our own network, and their secrets stay secret.

Real sockets throughout: receivers listen on 127.0.0.1, which is exactly the kind of
address a subscription may not reach unless ``WEBHOOK_ALLOW_PRIVATE`` says so.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from alur.config import load_config
from tests import backoffice as bo
from tests.factories import new_record, submitted_by_staff
from tests.test_webhooks_out import FAST, deliveries, drain, subscribe
from workflow import sealing, webhooks
from workflow.db import db, utcnow, write_transaction
from workflow.models import DeliveryAttempt, Subscription, WebhookClient
from workflow.outbox import MAX_BODY
from workflow.settings import configure as configure_rules

REFUSED_HOSTS = [
    "169.254.169.254",  # cloud metadata
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "127.0.0.1",
    "2130706433",  # 127.0.0.1 as one decimal number
    "0x7f.1",  # and in hex
    "017700000001",  # and in octal
    "0",
    "localhost",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:a00:1]",
    "[fe80::1]",
    "[fe80::1%25eth0]",  # with a zone: an address, checked without a lookup
    "[::ffff:169.254.169.254]",  # the metadata service, IPv4-mapped
    "[64:ff9b::a9fe:a9fe]",  # and through NAT64
    "[fc00::1]",
    "224.0.0.1",
    "240.0.0.1",
    "100.64.0.1",  # shared address space (carrier NAT)
]


@pytest.fixture
def private_refused(app):
    """WEBHOOK_ALLOW_PRIVATE off for this test (the test config turns it on)."""
    configure_rules({**app.config, "WEBHOOK_ALLOW_PRIVATE": False})
    yield
    configure_rules(app.config)


class Answering:
    """A plain HTTP endpoint on 127.0.0.1 that records each request and answers as told."""

    def __init__(self, status: int = 204, body: bytes = b"", headers: dict | None = None):
        self.requests: list[dict] = []
        answering = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                seen = {k.lower(): v for k, v in self.headers.items()}
                answering.requests.append({"path": self.path, **seen})
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def answering(app_ctx):
    made = []

    def make(*args, **kwargs):
        made.append(Answering(*args, **kwargs))
        return made[-1]

    yield make
    for endpoint in made:
        endpoint.close()


# -- which addresses ------------------------------------------------------------------


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_subscriptions_to_internal_addresses_are_refused(session, private_refused, host):
    with pytest.raises(ValueError, match="public address") as refused, write_transaction(session):
        webhooks.add_subscription(session, f"http://{host}:5432/x", ["*"])
    assert "ALUR_WEBHOOK_ALLOW_PRIVATE" in str(refused.value)
    session.rollback()
    assert session.scalar(select(Subscription)) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "::1",
        "::ffff:192.168.0.1",
        "fe80::1%eth0",
        "64:ff9b::a00:1",
        "2002:a00:1::",
        "0.0.0.0",
        "ff02::1",
        "198.18.0.1",
    ],
)
def test_the_classifier_refuses_non_public_addresses(address):
    assert webhooks.refused_address(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "203.194.112.1", "2606:4700::1111", "1.1.1.1"])
def test_the_classifier_lets_public_addresses_through(address):
    assert webhooks.refused_address(address) is None


def test_a_name_that_does_not_resolve_is_refused_clearly(private_refused):
    with pytest.raises(ValueError, match="does not resolve"):
        webhooks.check_url("https://receiver.alur.invalid/hooks")


def test_the_api_and_the_cli_refuse_an_internal_url(
    client, cli, session, cast, bearer, private_refused
):
    metadata = {"url": "http://169.254.169.254/latest", "event_types": ["*"]}
    answer = client.post("/api/v1/subscriptions", headers=bearer(cast.admin), json=metadata)
    assert answer.status_code == 422
    assert "link-local" in str(answer.json["errors"])
    result = cli("webhooks", "subscribe", "http://[::1]:5000/api/v1/webhooks/lms", "--event", "*")
    assert result.exit_code == 2 and "loopback" in result.output
    session.rollback()
    assert session.scalar(select(Subscription)) is None


def test_a_target_names_the_checked_addresses_the_sender_connects_to():
    where = webhooks.target("http://localhost:8080/hooks?x=1", allow_private=True)
    assert (where.scheme, where.host, where.port, where.path) == (
        "http",
        "localhost",
        8080,
        "/hooks?x=1",
    )
    assert where.addresses and set(where.addresses) <= {"127.0.0.1", "::1"}
    assert webhooks.target("https://[::ffff:127.0.0.1]/", allow_private=True).port == 443


def test_an_address_is_checked_as_it_is_without_a_lookup(monkeypatch):
    import socket

    asked = []

    def resolver(host, *args, **kwargs):
        asked.append(host)
        raise OSError("no resolver here")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    assert webhooks.target("http://127.0.0.1:9/h", allow_private=True).addresses == ("127.0.0.1",)
    assert webhooks.target("http://[::1]:9/h", allow_private=True).addresses == ("::1",)
    with pytest.raises(ValueError, match="loopback"):
        webhooks.target("http://127.0.0.1:9/h", allow_private=False)
    assert asked == []
    with pytest.raises(ValueError, match="does not resolve"):  # a name still is looked up
        webhooks.target("http://receiver.example:9/h", allow_private=True)
    assert asked == ["receiver.example"]


def test_allow_private_lets_a_local_receiver_be_subscribed(session):
    row = subscribe(session, "http://127.0.0.1:9/hooks", "*")  # the test config allows it
    assert row.id is not None


# -- at send time ---------------------------------------------------------------------


def test_a_delivery_to_a_host_now_internal_is_not_sent_and_dies_by_the_schedule(
    session, cast, receiver
):
    # Subscribed while allowed; then the worker runs where private addresses are refused,
    # as after a DNS rebinding: the host now resolves to 127.0.0.1.
    sink = receiver()
    sink.secret = subscribe(session, sink.url.replace("127.0.0.1", "localhost"), "*").secret
    new_record(session, cast, "training_nomination")

    totals = _settle(session, replace(FAST, allow_private=False))

    assert sink.ids == [] and sink.connections == set()
    assert totals == {"retry": 3, "dead": 1}
    (delivery,) = deliveries(session)
    assert delivery.status == "dead" and delivery.attempts == 4
    attempts = session.scalars(select(DeliveryAttempt)).all()
    assert all(a.status_code is None for a in attempts)
    assert all(a.error.startswith("not sent: ") and "loopback" in a.error for a in attempts)


def test_a_batch_looks_each_host_up_once_and_the_next_batch_anew(
    session, cast, receiver, monkeypatch
):
    """A name is resolved and checked for each batch, not for each of its deliveries (a
    lookup costs a thread and the resolver's round trip); a later batch looks it up again,
    so a name that comes to point inside is still caught."""
    import socket

    sink = receiver()
    sink.secret = subscribe(session, sink.url.replace("127.0.0.1", "localhost"), "*").secret
    submitted_by_staff(session, cast, "training_nomination", 4)  # 8 events, a batch of 20
    looked_up = []
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "localhost":
            looked_up.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    assert _settle(session, FAST) == {"delivered": 8}
    assert len(set(sink.ids)) == 8 and len(looked_up) == 1

    new_record(session, cast, "training_nomination")
    assert _settle(session, FAST) == {"delivered": 1}
    assert len(set(sink.ids)) == 9 and len(looked_up) == 2


def test_one_sending_thread_checks_each_host_before_the_sends_that_wait_for_it(
    session, cast, receiver
):
    """The checks of a batch are queued before its sends: a single thread takes them first,
    and no send waits for a check that no thread is left to run."""
    one, other = receiver(), receiver()
    one.secret = subscribe(session, one.url.replace("127.0.0.1", "localhost"), "*").secret
    other.secret = subscribe(session, other.url, "*").secret
    submitted_by_staff(session, cast, "training_nomination", 2)

    assert _settle(session, replace(FAST, concurrency=1)) == {"delivered": 8}
    assert len(set(one.ids)) == len(set(other.ids)) == 4


def test_the_sender_keeps_the_host_name_and_follows_no_redirect(session, cast, answering):
    elsewhere = answering()
    redirecting = answering(status=302, headers={"Location": elsewhere.url})
    subscribe(session, f"http://localhost:{redirecting.port}/hooks?x=1", "*")
    new_record(session, cast, "training_nomination")

    _settle(session, replace(FAST, schedule=(0.05,)))

    assert elsewhere.requests == []
    assert len(redirecting.requests) == 2
    first = redirecting.requests[0]
    assert first["path"] == "/hooks?x=1" and first["host"] == f"localhost:{redirecting.port}"
    (delivery,) = deliveries(session)
    assert delivery.status == "dead" and delivery.last_status == 302


def test_a_long_reply_is_kept_to_one_kibibyte(session, cast, answering):
    shouting = answering(status=500, body="🔥".encode() * 20_000)
    subscribe(session, shouting.url, "*")
    new_record(session, cast, "training_nomination")

    _settle(session, replace(FAST, schedule=(0.05,)))

    (delivery,) = deliveries(session)
    attempts = session.scalars(select(DeliveryAttempt)).all()
    assert len(attempts) == 2
    for kept in [delivery.last_error, *(a.error for a in attempts)]:
        assert kept.startswith("🔥") and 900 < len(kept.encode()) <= MAX_BODY


def test_a_reply_with_nul_and_control_bytes_is_kept_legibly_for_a_whole_batch(
    session, cast, answering
):
    """A receiver's answer is its own to choose: NUL (which a PostgreSQL text cannot hold),
    tabs, line breaks and backslashes are kept legibly for every attempt of a batch large
    enough for the bulk path, and the worker goes on."""
    from tests.test_webhooks_out import make_events
    from workflow.db import MANY_ROWS

    hostile = answering(status=500, body=b"boom\x00\tcol\\N\r\nnext \xff\x00")
    subscribe(session, hostile.url, "*")
    make_events(session, cast, MANY_ROWS + 1)

    totals = drain(session, replace(FAST, schedule=(60.0,), batch=MANY_ROWS + 1))

    assert totals == {"retry": MANY_ROWS + 1}
    attempts = session.scalars(select(DeliveryAttempt)).all()
    assert len(attempts) == MANY_ROWS + 1
    for kept in [*(d.last_error for d in deliveries(session)), *(a.error for a in attempts)]:
        assert kept == "boom\ufffd\tcol\\N\r\nnext \ufffd\ufffd"


def test_a_long_reply_of_nul_bytes_is_kept_to_one_kibibyte(session, cast, answering):
    nuls = answering(status=500, body=b"\x00" * 5000)
    subscribe(session, nuls.url, "*")
    new_record(session, cast, "training_nomination")

    drain(session, replace(FAST, schedule=(60.0,)))

    (attempt,) = session.scalars(select(DeliveryAttempt)).all()
    assert set(attempt.error) == {"\ufffd"} and len(attempt.error.encode()) <= MAX_BODY


def test_reply_bodies_are_shown_to_admins_only(client, session, cast, bearer, answering):
    secretive = answering(status=500, body=b"internal: db password is hunter2")
    subscribe(session, secretive.url, "*")
    new_record(session, cast, "training_nomination")
    _settle(session, replace(FAST, schedule=(0.05,)))
    (delivery,) = deliveries(session)
    admin_view = client.get(f"/api/v1/webhook-deliveries/{delivery.id}", headers=bearer(cast.admin))
    assert "hunter2" in admin_view.get_data(as_text=True)

    for user in (cast.hr, cast.subject, cast.supervisor):
        for path in (f"/api/v1/webhook-deliveries/{delivery.id}", "/api/v1/webhook-deliveries"):
            answer = client.get(path, headers=bearer(user))
            assert answer.status_code == 403 and "hunter2" not in answer.get_data(as_text=True)
    bo.log_in(client, session, cast.hr)
    page = client.get(f"/admin/outboxdelivery/details/?id={delivery.id}")
    assert page.status_code in (302, 403) and "hunter2" not in page.get_data(as_text=True)


# -- secrets --------------------------------------------------------------------------


def _settle(session, settings) -> dict:
    """Run the worker until every delivery is delivered or dead."""
    return drain(
        session, settings, until=lambda: all(d.status != "pending" for d in deliveries(session))
    )


def _stored(session, table: str) -> list[tuple[str, str | None]]:
    session.rollback()
    rows = session.execute(text(f"SELECT secret, previous_secret FROM {table} ORDER BY id"))
    return [tuple(row) for row in rows]


def test_secrets_are_encrypted_at_rest_and_used_decrypted(session, cast):
    with write_transaction(session):
        sub = webhooks.add_subscription(session, "http://127.0.0.1:9/h", ["*"])
        client = webhooks.add_client(session, "lms", ["appraisal.submit"])
    plain_sub, plain_client = sub.secret, client.secret
    with write_transaction(session):
        rotated = webhooks.rotate_secret(session.merge(sub))

    ((sealed, sealed_previous),) = _stored(session, "subscriptions")
    ((client_sealed, _),) = _stored(session, "webhook_clients")
    for stored, plain in (
        (sealed, rotated),
        (sealed_previous, plain_sub),
        (client_sealed, plain_client),
    ):
        assert plain.startswith("whsec_") and plain not in stored
        assert stored.startswith(sealing.FERNET_PREFIX)
        assert Fernet(sealing.DEVELOPMENT_KEY).decrypt(stored.encode()).decode() == plain
    row = session.get(Subscription, sub.id)
    assert row.secrets(utcnow()) == [rotated, plain_sub]


def test_no_read_shows_a_subscription_secret_after_it_was_made(client, cli, session, cast, bearer):
    admin = bearer(cast.admin)
    new = {"url": "https://hooks.example.id/a", "event_types": ["*"]}
    made = client.post("/api/v1/subscriptions", headers=admin, json=new)
    assert made.status_code == 201
    secret = made.json["secret"]
    cli("webhooks", "add-client", "lms", "--grant", "appraisal.submit")
    session.rollback()
    client_secret = session.scalar(select(WebhookClient)).secret
    sub_id = made.json["id"]

    reads = [
        client.get("/api/v1/subscriptions", headers=admin),
        client.get(f"/api/v1/subscriptions/{sub_id}", headers=admin),
        client.get("/api/v1/webhook-clients", headers=admin),
    ]
    bo.log_in(client, session, cast.admin)
    for path in (
        "/admin/subscription/",
        f"/admin/subscription/details/?id={sub_id}",
        "/admin/subscription/export/csv/",
        "/admin/webhookclient/",
        "/admin/webhookclient/details/?id=1",
        "/admin/webhookclient/export/csv/",
    ):
        reads.append(client.get(path))
    outputs = [cli("webhooks", "subscriptions").output, cli("webhooks", "clients").output]
    for answer in reads:
        assert answer.status_code == 200, answer.request.path
        page = answer.get_data(as_text=True)
        assert secret not in page and client_secret not in page, answer.request.path
        assert sealing.FERNET_PREFIX not in page, answer.request.path
    assert all(secret not in out and client_secret not in out for out in outputs)


def test_a_missing_or_malformed_secrets_key_is_refused_at_start(monkeypatch):
    monkeypatch.delenv("ALUR_SECRETS_KEY", raising=False)
    production = {
        "ALUR_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "SECURITY_PASSWORD_SALT": "t" * 32,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "AUDIT_KEY": "k" * 48,
    }
    with pytest.raises(RuntimeError, match="ALUR_SECRETS_KEY must be set"):
        load_config(Flask("missing"), production)
    with pytest.raises(RuntimeError, match="must be a Fernet key"):
        load_config(Flask("malformed"), {**production, "SECRETS_KEY": "not-a-key"})
    monkeypatch.setenv("ALUR_SECRETS_KEY", "short")
    with pytest.raises(RuntimeError, match="must be a Fernet key"):
        load_config(Flask("from the environment"), production)
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ALUR_SECRETS_KEY", key)
    app = Flask("good")
    load_config(app, production)
    assert app.config["SECRETS_KEY"] == key


def test_the_migration_encrypts_plain_secrets_already_stored(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "AUDIT_ALLOW_DOWNGRADE", True)  # down past 0013
    before = ScriptDirectory.from_config(app_ctx.extensions["migrate"].migrate.get_config())
    previous = before.get_revision("0012").down_revision
    downgrade(revision=previous)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO subscriptions (name, url, event_types, active, created_at, secret,"
                    " previous_secret) VALUES ('old', 'https://x.example.id/', '[\"*\"]', true,"
                    " CURRENT_TIMESTAMP, 'whsec_b2xk', NULL)"
                )
            )
    finally:
        upgrade()
    ((stored, previous_secret),) = _stored(db.session, "subscriptions")
    assert stored.startswith(sealing.FERNET_PREFIX) and previous_secret is None
    assert db.session.scalar(select(Subscription)).secret == "whsec_b2xk"


# -- the CLI's list -------------------------------------------------------------------


def test_the_subscriptions_command_lists_deliveries_by_status(cli, session, cast, receiver):
    sink = receiver()
    sink.secret = subscribe(session, sink.url, "*").secret
    new_record(session, cast, "training_nomination")
    drain(session)

    result = cli("webhooks", "subscriptions")

    assert result.exit_code == 0, result.output
    assert sink.url in result.output and "pending=0 delivered=1 dead=0" in result.output
