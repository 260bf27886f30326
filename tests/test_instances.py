"""Several instances on one database and one Redis: two app servers (gunicorn, by
``gunicorn.conf.py``, two workers each) and two outbox workers, all real processes.

No state is kept in a process: an idempotency key sent to both servers at once applies
once; every event reaches its subscriber once, whichever worker took it; the dashboard's
national counts kept by one server are what the other shows; /metrics adds up the
workers of a server. (One token's rate limit across two servers: ``test_rate_limits``.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from tests import backoffice as bo
from tests.factories import new_record
from tests.http import always
from tests.servers import free_port, wait_until
from tests.test_dashboard import counts
from tests.workflow_paths import bring_to
from workflow import fire, tokens, webhooks
from workflow.db import write_transaction
from workflow.models import AuditEntry, DeliveryAttempt, OutboxDelivery, OutboxEvent

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/0"
METRICS_TOKEN = "instances-" + "m" * 30
SECONDS = 60  # the bound of every wait here


class Fleet:
    """The processes, their ports and their logs; stopped (and waited for) on exit."""

    def __init__(self, database_url: str, tmp: Path, config):
        self.prefix = f"alur-test-{uuid.uuid4().hex}"  # this run's keys, whoever else uses Redis
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            # the tests' own: a password they set is checked as they hashed it
            "SECRET_KEY": config["SECRET_KEY"],
            "SECURITY_PASSWORD_SALT": config["SECURITY_PASSWORD_SALT"],
            "ALUR_RATELIMIT_STORAGE_URI": REDIS,
            "ALUR_RATELIMIT_KEY_PREFIX": self.prefix,
            "ALUR_API_RATE_LIMIT": "100000 per hour",
            "ALUR_CACHE_TYPE": "RedisCache",
            "ALUR_CACHE_REDIS_URL": REDIS,
            "ALUR_CACHE_KEY_PREFIX": self.prefix + ":",
            "ALUR_METRICS_TOKEN": METRICS_TOKEN,
            "ALUR_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on 127.0.0.1
            "ALUR_AUDIT_CHECKPOINT_MINUTES": "0",  # the events of the test only
            "ALUR_OUTBOX_BATCH": "4",
            "ALUR_OUTBOX_CONCURRENCY": "2",
            "ALUR_OUTBOX_POLL": "0.05",
            "ALUR_OUTBOX_LEASE": "30",
        }
        self.tmp = tmp
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.ports: list[int] = []

    def _start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **env}, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append((process, log))
        return process

    def server(self, name: str) -> int:
        port = free_port()
        self._start(
            name,
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            ALUR_BIND=f"127.0.0.1:{port}",
            ALUR_WORKERS="2",
            PROMETHEUS_MULTIPROC_DIR=str(self.tmp / f"{name}-metrics"),
        )
        self.ports.append(port)
        return port

    def worker(self, name: str) -> None:
        self._start(
            name,
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work", "--name", name],
        )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + SECONDS
        for port in self.ports:
            while True:
                self.check_alive()
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"no server on port {port} after {SECONDS} s")
                time.sleep(0.1)

    def check_alive(self) -> None:
        for process, log in self.processes:
            if process.poll() is not None:
                raise AssertionError(f"{log.stem} stopped: {log.read_text()[-3000:]}")

    def stop(self) -> None:
        for process, _log in self.processes:
            process.terminate()
        for process, _log in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        store = redis.Redis.from_url(REDIS, socket_timeout=5)
        try:
            keys = list(store.scan_iter(f"*{self.prefix}*", count=1000))
            if keys:
                store.delete(*keys)
        finally:
            store.close()


@pytest.fixture(scope="module")
def fleet(app, database_url, tmp_path_factory):
    fleet = Fleet(database_url, tmp_path_factory.mktemp("fleet"), app.config)
    try:
        fleet.server("server-a")
        fleet.server("server-b")
        fleet.worker("worker-1")
        fleet.worker("worker-2")
        fleet.wait_until_serving()
        yield fleet
    finally:
        fleet.stop()


def _bearer(session, user) -> dict:
    """A new API token of ``user``, written as the engine writes: on SQLite a plain write
    begun beside the workers' could not wait for their lock, and failed at once."""
    session.commit()
    with write_transaction(session):
        _row, token = tokens.issue(session, user, "fleet")
    return {"Authorization": f"Bearer {token}"}


def test_one_idempotency_key_sent_to_both_servers_at_once_applies_once(fleet, session, cast):
    # The test's plain writes first: on SQLite a write the engine does not make waits for
    # the workers' only if it begins before they write.
    token = _bearer(session, cast.supervisor)
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    headers = {**token, "Idempotency-Key": f"review-{record.id}"}
    url = f"/api/v1/training-nominations/{record.id}/transitions"
    answers: list[httpx.Response] = [None, None]
    start = threading.Barrier(2, timeout=SECONDS)

    def send(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{fleet.ports[n]}", timeout=SECONDS) as http:
            http.get("/health")  # connected before the race starts
            start.wait()
            answers[n] = http.post(url, headers=headers, json={"trigger": "review"})

    threads = [threading.Thread(target=send, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json()["state"] for a in answers] == ["reviewed", "reviewed"]
    assert sorted(a.headers.get("Idempotent-Replayed", "no") for a in answers) == ["no", "true"]
    session.rollback()
    reviews = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.record_id == record.id, AuditEntry.trigger == "review")
    )
    assert reviews == 1
    print(
        f"one Idempotency-Key to both servers at once: {[a.status_code for a in answers]}, "
        f"replayed {[a.headers.get('Idempotent-Replayed', 'no') for a in answers]}, "
        f"audit entries {reviews}"
    )


def test_every_event_reaches_its_subscriber_once_whichever_worker_takes_it(
    fleet, session, cast, receiver
):
    sink = receiver(script=always(204, delay=0.03))
    with write_transaction(session):
        sink.secret = webhooks.add_subscription(
            session, sink.url, ["training_nomination.*"], name="fleet"
        ).secret
    record = new_record(session, cast, "training_nomination")
    for i in range(39):
        record = fire(record, "return" if i % 2 else "submit", None, via="system", comment="x")
    expected = set(
        session.scalars(
            select(OutboxEvent.event_id).where(OutboxEvent.type.like("training_nomination.%"))
        )
    )
    assert len(expected) == 40
    session.rollback()

    wait_until(lambda: set(sink.ids) >= expected, "every event at the receiver", SECONDS)
    time.sleep(0.5)  # a second delivery of any of them would show now
    assert Counter(sink.ids) == Counter(expected)  # each once: no overlap
    session.rollback()
    per_delivery = Counter(session.scalars(select(DeliveryAttempt.delivery_id)))
    assert len(per_delivery) == 40 and set(per_delivery.values()) == {1}
    workers = set(session.scalars(select(DeliveryAttempt.worker)))
    assert workers == {"worker-1", "worker-2"}, "both workers took a share"
    states = Counter(session.scalars(select(OutboxDelivery.status)))
    assert states == {"delivered": 40}
    shares = Counter(session.scalars(select(DeliveryAttempt.worker)))
    print(f"40 events: received {len(sink.ids)}, distinct {len(set(sink.ids))}, by {dict(shares)}")


def test_the_national_counts_one_server_kept_are_what_the_other_shows(fleet, session, cast):
    session.commit()
    with write_transaction(session):  # waits for the workers' writes: a plain one may not
        cast.admin.password = bo.hashed()
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    a, b = (f"http://127.0.0.1:{port}" for port in fleet.ports)
    with httpx.Client(timeout=SECONDS, follow_redirects=True) as http:
        page = http.get(f"{a}/login").text
        form = {"email": cast.admin.email, "password": bo.PASSWORD, "csrf_token": bo.csrf(page)}
        assert http.post(f"{a}/login", data=form).url.path == "/admin/dashboard"
        first = http.get(f"{a}/admin/dashboard").text
        assert counts(first, "appraisal")["submitted"] == 1
        # a change the kept counts do not know of yet
        bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")
        other = http.get(f"{b}/admin/dashboard").text
    assert counts(other, "appraisal")["submitted"] == 1  # server A's entry, read by B
    counted_at = re.compile(r'id="counted-at"[^>]*>([^<]+)<')
    assert counted_at.search(first).group(1) == counted_at.search(other).group(1)
    print(
        "national counts: server A counted 1 submitted; after a second was made, server B "
        f"showed {counts(other, 'appraisal')['submitted']} ({counted_at.search(other).group(1)})"
    )
    store = redis.Redis.from_url(REDIS, socket_timeout=5)
    try:
        assert list(store.scan_iter(f"{fleet.prefix}:*national-counts*"))
    finally:
        store.close()


def test_metrics_add_up_the_workers_of_a_server(fleet, session, cast):
    def transitions_counted(port: int) -> float:
        answer = httpx.get(
            f"http://127.0.0.1:{port}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
            timeout=SECONDS,
        )
        assert answer.status_code == 200
        families = text_string_to_metric_families(answer.text)
        return sum(
            sample.value
            for family in families
            for sample in family.samples
            if sample.name == "alur_transitions_total"
            and sample.labels["workflow"] == "training_nomination"
            and sample.labels["trigger"] == "submit"
        )

    port = fleet.ports[0]
    before = transitions_counted(port)
    steps = [
        (_bearer(session, cast.subject), "submit"),
        (_bearer(session, cast.supervisor), "return"),
    ] * 4
    record = new_record(session, cast, "training_nomination")
    url = f"/api/v1/training-nominations/{record.id}/transitions"
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=SECONDS) as http:
        for headers, trigger in steps:
            # a new connection each time: both of gunicorn's workers take some
            body = {"trigger": trigger, "comment": "Lengkapi berkas"}
            answer = http.post(url, headers={**headers, "Connection": "close"}, json=body)
            assert answer.status_code == 200, answer.text
    counted = transitions_counted(port) - before
    assert counted == 4
    print(f"/metrics of server A (two workers): {counted:g} submits counted of 4 taken")
