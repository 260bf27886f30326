"""What operators see: /health and /ready, /metrics behind its token, JSON logs with a
request id, and ``flask doctor``."""

from __future__ import annotations

import json
import socket
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from alur import create_app
from alur.observability import configure_logging
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import evidence_store
from workflow.db import db

METRICS_TOKEN = "metrics-" + "x" * 32
UNREACHABLE_DB = "postgresql://postgres@127.0.0.1:1/nothing"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: nothing listens


@pytest.fixture
def make_app(app):
    """Apps of a test's own configuration; the session app's evidence store is kept."""
    kept = evidence_store.store()
    made = []

    def make(**config):
        made.append(create_app({**app.config, **config}))
        return made[-1]

    yield make
    evidence_store.use(kept)
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def metrics_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", METRICS_TOKEN)


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def transitions_url(record) -> str:
    return f"/api/v1/{record.__tablename__.replace('_', '-')}/{record.id}/transitions"


# /health and /ready


def test_health_answers_without_the_database_and_ready_says_it_is_down(make_app):
    down = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DB)
    client = down.test_client()
    assert client.get("/health").status_code == 200
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"] == "fail"
    # the probe tells no address, driver message or password
    assert "127.0.0.1" not in ready.get_data(as_text=True)


def test_ready_when_the_database_is_at_the_codes_head(client):
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_not_ready_when_the_schema_is_behind_the_code(client, session):
    (head,) = session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    session.execute(text("UPDATE alembic_version SET version_num = '0018'"))
    session.commit()
    try:
        ready = client.get("/ready")
    finally:
        session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        session.commit()
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["migrations"] == "fail"


def test_ready_asks_the_redis_the_rate_limits_count_in(client, app, monkeypatch):
    # the configuration only: the limiter itself keeps counting where the tests count
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert client.get("/ready").get_json()["checks"]["redis (rate limits)"] == "ok"
    closed = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", closed)
    ready = client.get("/ready")
    assert ready.status_code == 200  # the API goes on without it: no reason to stop serving
    assert ready.get_json()["checks"]["redis (rate limits)"] == "warn"


# /metrics


def test_metrics_are_off_without_a_token_and_closed_to_a_wrong_one(client, app, monkeypatch):
    assert client.get("/metrics").status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", METRICS_TOKEN)
    for given in (None, "Bearer wrong", f"Bearer {METRICS_TOKEN}x", METRICS_TOKEN, "Bearer "):
        headers = {"Authorization": given} if given is not None else {}
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 401, given
        assert answer.content_type == "application/problem+json"
        assert "alur_" not in answer.get_data(as_text=True)
    # the token is for /metrics only: it opens no API
    assert (
        client.get(
            "/api/v1/inbox", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        ).status_code
        == 401
    )


def test_metrics_count_steps_refusals_and_requests(client, session, cast, bearer, metrics_on):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    url = transitions_url(record)
    before = scrape(client)
    headers = bearer(cast.supervisor)
    assert client.post(url, headers=headers, json={"trigger": "review"}).status_code == 200
    assert client.post(url, headers=headers, json={"trigger": "review"}).status_code == 409
    colleague = bearer(cast.colleague)
    assert client.post(url, headers=colleague, json={"trigger": "approve"}).status_code == 404
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    step = {"workflow": "training_nomination", "trigger": "review", "via": "api"}
    assert grew("alur_transitions_total", **step) == 1
    assert grew("alur_refusals_total", kind="transition_not_allowed") == 1
    assert grew("alur_refusals_total", kind="not_found") == 1
    endpoint = {"endpoint": "training-nominations.Transitions", "method": "POST"}
    assert grew("alur_responses_total", status="200", **endpoint) == 1
    assert grew("alur_responses_total", status="409", **endpoint) == 1
    assert grew("alur_request_seconds_count", **endpoint) == 3
    assert value(after, "alur_database_up") == 1
    assert ("alur_db_connections_in_use", ()) in after


def test_metrics_show_the_outbox_backlog_and_its_dead_letters(
    client, session, cast, metrics_on, receiver
):
    from workflow import outbox, webhooks
    from workflow.models import OutboxDelivery
    from workflow.models.webhooks import DeliveryStatus

    webhooks.add_subscription(session, receiver().url, ["*"], name="test")
    session.commit()
    bring_to(new_record(session, cast, "training_nomination"), "submitted")
    assert outbox.fan_out(session) > 0
    session.commit()
    samples = scrape(client)
    pending = session.query(OutboxDelivery).filter_by(status=DeliveryStatus.PENDING).count()
    assert pending > 0
    assert value(samples, "alur_backlog", queue="outbox") == pending
    assert value(samples, "alur_backlog_oldest_seconds", queue="outbox") >= 0
    assert value(samples, "alur_dead_letters", queue="outbox") == 0
    session.query(OutboxDelivery).update({"status": DeliveryStatus.DEAD})
    session.commit()
    samples = scrape(client)
    assert value(samples, "alur_backlog", queue="outbox") == 0
    assert value(samples, "alur_dead_letters", queue="outbox") == pending


# logs


def _lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_each_request_is_one_json_line_with_its_id_and_actor(client, session, cast, bearer, capsys):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    headers = bearer(cast.supervisor)
    token = headers["Authorization"].split()[1]
    capsys.readouterr()
    response = client.post(
        transitions_url(record) + "?secret=query-text",
        headers={**headers, "X-Request-ID": "lb-7f3a.42"},
        json={"trigger": "review", "comment": "Catatan pribadi"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "lb-7f3a.42"
    captured = capsys.readouterr().err
    lines = _lines(captured)
    (request_line,) = [line for line in lines if line["event"] == "request"]
    assert request_line["request_id"] == "lb-7f3a.42"
    assert request_line["endpoint"] == "training-nominations.Transitions"
    assert request_line["status"] == 200
    assert request_line["actor_id"] == cast.supervisor.id
    assert request_line["path"] == transitions_url(record)
    (step_line,) = [line for line in lines if line["event"] == "step"]
    assert step_line["request_id"] == "lb-7f3a.42"
    assert (step_line["workflow"], step_line["record_id"]) == ("training_nomination", record.id)
    assert (step_line["trigger"], step_line["state"]) == ("review", "reviewed")
    assert step_line["actor_id"] == cast.supervisor.id
    # no token, comment, query string, name or e-mail
    for secret in (token, "Catatan pribadi", "query-text", cast.supervisor.email):
        assert secret not in captured


@pytest.mark.parametrize("given", ["a b", "x" * 129, "", 'inject" {}', "ümlaut", "tab\tbed"])
def test_a_request_id_that_could_forge_a_line_is_replaced(client, capsys, given):
    response = client.get(
        "/health", headers={"X-Request-ID": given.encode("utf-8").decode("latin-1")}
    )
    made = response.headers["X-Request-ID"]
    assert made != given and len(made) == 32
    (line,) = [x for x in _lines(capsys.readouterr().err) if x["event"] == "request"]
    assert line["request_id"] == made


def test_an_unexpected_error_is_logged_as_json_with_its_request_id(make_app, capsys):
    faulty = make_app()

    @faulty.get("/_test_fault")
    def _fault():
        raise RuntimeError("deliberate")

    faulty.config["TESTING"] = False  # served as in production: a 500, not a raise
    faulty.config["PROPAGATE_EXCEPTIONS"] = False
    answer = faulty.test_client().get("/_test_fault", headers={"X-Request-ID": "fault-1"})
    assert answer.status_code == 500
    assert answer.headers["X-Request-ID"] == "fault-1"
    lines = _lines(capsys.readouterr().err)
    error = next(line for line in lines if line["level"] == "error")
    assert error["request_id"] == "fault-1"
    assert "deliberate" in json.dumps(error["exception"])


class _GoneCollector:
    """Standard error whose reader has gone: every write fails."""

    def write(self, _text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("stderr", [_GoneCollector(), None], ids=["broken-pipe", "none"])
def test_a_log_that_cannot_be_written_fails_neither_the_request_nor_its_step(
    client, session, cast, bearer, monkeypatch, stderr
):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    monkeypatch.setattr(sys, "stderr", stderr)
    response = client.post(
        transitions_url(record), headers=bearer(cast.supervisor), json={"trigger": "review"}
    )
    monkeypatch.undo()
    assert response.status_code == 200, response.get_data(as_text=True)
    session.expire_all()
    assert session.get(type(record), record.id).state == "reviewed"


def test_the_log_level_holds_back_lower_lines_and_the_next_app_sets_it_anew(app, make_app, capsys):
    quiet = make_app(LOG_LEVEL="WARNING")
    try:
        capsys.readouterr()
        assert quiet.test_client().get("/health").status_code == 200
        assert [x for x in _lines(capsys.readouterr().err) if x["event"] == "request"] == []
    finally:
        configure_logging(app.config["LOG_LEVEL"])
    app.test_client().get("/health", headers={"X-Request-ID": "loud-again"})
    (line,) = [x for x in _lines(capsys.readouterr().err) if x["event"] == "request"]
    assert (line["request_id"], line["level"], line["logger"]) == (
        "loud-again",
        "info",
        "alur.request",
    )


# flask doctor


def test_doctor_passes_a_sound_configuration(cli):
    result = cli("doctor", "--json")
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c["status"] for c in json.loads(result.output)["checks"]}
    assert checks["database"] == checks["migrations"] == checks["mail"] == "ok"


def test_doctor_names_what_is_wrong_and_fails(make_app):
    broken = make_app(
        SQLALCHEMY_DATABASE_URI=UNREACHABLE_DB, MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port()
    )
    broken.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{_closed_port()}/0"
    result = broken.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert [line.split()[1] for line in failed] == ["database", "migrations", "redis", "mail"]
    assert "DATABASE_URL" in failed[0]
    assert "4 failed" in result.output


def test_a_made_up_method_adds_no_series_and_a_seal_is_not_logged(client, metrics_on, capsys):
    for made_up in ("FOOBAR", "BREW", "PROPFIND"):
        client.open("/health", method=made_up)
    samples = scrape(client)
    methods = {dict(labels).get("method") for (_name, labels) in samples}
    assert not methods & {"FOOBAR", "BREW", "PROPFIND"}
    assert "other" in methods
    capsys.readouterr()
    client.get("/verify/appraisal/1/s3cret-seal-value")
    (line,) = [x for x in _lines(capsys.readouterr().err) if x["event"] == "request"]
    assert "s3cret-seal-value" not in json.dumps(line)
    assert line["path"].endswith("<token>")


def test_sql_parameters_stay_out_of_error_messages(session):
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as raised:
        session.execute(text("INSERT INTO no_such_table VALUES (:nip)"), {"nip": "198509092020"})
    session.rollback()
    assert "no_such_table" in str(raised.value)  # the statement is told, its values are not
    assert "198509092020" not in str(raised.value)
