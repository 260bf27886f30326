"""Faults a national service meets, each on real processes: Redis stopped under an app
server (gunicorn, by ``gunicorn.conf.py``) and started again."""

from __future__ import annotations

import errno
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from alur import create_app
from alur.migrations import init_migrations
from tests import backoffice as bo
from tests.clusters import Cluster
from tests.factories import new_record
from tests.servers import free_port, gunicorn, wait_until
from tests.test_dashboard import counts
from tests.workflow_paths import bring_to
from workflow import evidence_store, tokens
from workflow.settings import configure as configure_rules

SECONDS = 90  # the bound of every wait here (the limiter looks for Redis again within 63 s)
LIMIT = 6


def _wait(condition, what: str, seconds: float = SECONDS) -> None:
    wait_until(condition, what, seconds, every=0.2)


class RedisServer:
    """A Redis of the test's own (the machine's must not be stopped), on a free port."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self.answers, "Redis to answer", 20)

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def keys(self, pattern: str) -> list:
        client = redis.Redis(port=self.port, socket_timeout=2)
        try:
            return list(client.scan_iter(pattern))
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_server(app, database_url, redis_server, tmp_path):
    """One gunicorn worker (so that its in-memory count while Redis is down is the only one)."""
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    prefix = f"alur-fault-{uuid.uuid4().hex}"
    with gunicorn(
        tmp_path,
        DATABASE_URL=database_url,
        SECRET_KEY=app.config["SECRET_KEY"],
        SECURITY_PASSWORD_SALT=app.config["SECURITY_PASSWORD_SALT"],
        ALUR_RATELIMIT_STORAGE_URI=url,
        ALUR_RATELIMIT_KEY_PREFIX=prefix,
        ALUR_API_RATE_LIMIT=f"{LIMIT} per hour",
        ALUR_CACHE_TYPE="RedisCache",
        ALUR_CACHE_REDIS_URL=url,
        ALUR_WORKERS="1",
    ) as (base, log):
        yield base, prefix, log


def test_the_api_goes_on_while_redis_is_down_and_goes_back_to_it(
    app_server, redis_server, session, cast, bearer
):
    base, prefix, log = app_server
    headers = bearer(cast.supervisor)
    bo.give_password(session, cast.admin)
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as http:

        def inbox() -> httpx.Response:
            return http.get("/api/v1/inbox", headers=headers)

        form = {"email": cast.admin.email, "password": bo.PASSWORD}
        form["csrf_token"] = bo.csrf(http.get("/login").text)
        assert http.post("/login", data=form).url.path == "/admin/dashboard"
        assert [inbox().status_code for _ in range(2)] == [200, 200]
        assert redis_server.keys(f"*{prefix}*"), "counted in Redis"
        assert http.get("/ready").json()["checks"]["redis (rate limits)"] == "ok"

        redis_server.stop()
        down = [inbox() for _ in range(LIMIT + 2)]
        # Counted in this process alone from nothing: the allowance, then 429; never a 5xx.
        assert [r.status_code for r in down] == [200] * LIMIT + [429, 429]
        assert down[-1].headers["Content-Type"] == "application/problem+json"
        ready = http.get("/ready")
        assert ready.status_code == 200  # still serving: a warning, not out of service
        assert ready.json()["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "redis (rate limits)": "warn",
            "redis (cache)": "warn",
        }
        assert http.get("/health").status_code == 200
        page = http.get("/admin/dashboard")  # the shared counts' cache is down: counted now
        assert page.status_code == 200
        assert counts(page.text, "appraisal")["submitted"] == 1
        assert 'id="counted-at"' not in page.text

        redis_server.start()  # empty: what was counted before is gone with it
        _wait(lambda: inbox().status_code and bool(redis_server.keys(f"*{prefix}*")), "Redis again")
        assert set(http.get("/ready").json()["checks"].values()) == {"ok"}
        assert inbox().status_code == 200  # a fresh allowance in the fresh Redis
    lines = log.read_text()
    assert '"logger": "flask-limiter"' in lines  # said, as JSON
    assert "falling back to in-memory storage" in lines
    assert "Rate limit storage recovered" in lines
    assert "Traceback" not in lines


# PostgreSQL restarted, and made read only, under a gunicorn server: a cluster of the test's
# own on a free port (the machine's must not be restarted), on either leg of the suite.

THREADS = 4


@pytest.fixture
def seeded(cluster, app):
    """The cluster migrated and seeded (in this process, through an app of its own): a cast,
    a nomination per client thread, and API tokens of the subject and the supervisor."""
    from flask_migrate import upgrade

    from tests import factories
    from workflow import tokens
    from workflow.db import db

    own = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": cluster.url})
    init_migrations(own)
    with own.app_context():
        upgrade()
        session = db.session
        cast = factories.cast(session)
        programs = [factories.program(session) for _ in range(THREADS)]
        session.commit()
        records = [
            new_record(session, cast, "training_nomination", program_id=program.id).id
            for program in programs
        ]
        subject = tokens.issue(session, cast.subject, "faults")[1]
        supervisor = tokens.issue(session, cast.supervisor, "faults")[1]
        session.commit()
        db.session.remove()
        db.engine.dispose()
    configure_rules(app.config)  # the rules are the process's: the suite's again
    return records, subject, supervisor


@pytest.fixture
def pg_server(cluster, seeded, tmp_path, app):
    with gunicorn(
        tmp_path,
        probe="/ready",
        DATABASE_URL=cluster.url,
        SECRET_KEY=app.config["SECRET_KEY"],
        SECURITY_PASSWORD_SALT=app.config["SECURITY_PASSWORD_SALT"],
        ALUR_WORKERS="2",
        ALUR_DB_LOCK_TIMEOUT_MS="3000",
        ALUR_API_RATE_LIMIT="1000000 per hour",  # the load is the test's, not an abuse
    ) as served:
        yield served


def _audited_steps(cluster: Cluster, record_id: int) -> int:
    ((n,),) = cluster.query(
        "SELECT count(*) FROM audit_log WHERE workflow = 'training_nomination' "
        "AND record_id = %s AND trigger IN ('submit', 'return')",
        record_id,
    )
    return n


def test_postgresql_restarted_under_load_loses_no_answered_step(cluster, seeded, pg_server):
    records, subject, supervisor = seeded
    base, log = pg_server
    stop = threading.Event()
    statuses: list[list[int]] = [[] for _ in records]
    done = [0] * len(records)  # steps answered 2xx, per record

    def client(n: int) -> None:
        steps = [(subject, "submit"), (supervisor, "return")]
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                token, trigger = steps[done[n] % 2]
                key = f"fault-{records[n]}-{done[n]}"  # one key per step: a retry is one step
                for _attempt in range(200):
                    try:
                        answer = http.post(
                            f"/api/v1/training-nominations/{records[n]}/transitions",
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                            json={"trigger": trigger, "comment": "Lengkapi berkas"},
                        )
                    except httpx.TransportError:
                        statuses[n].append(0)  # no answer at all
                        time.sleep(0.1)
                        continue
                    statuses[n].append(answer.status_code)
                    if answer.status_code == 200:
                        done[n] += 1
                        break
                    assert answer.headers["Content-Type"] == "application/problem+json"
                    time.sleep(0.1)
                else:
                    raise AssertionError(f"step {key} never answered 200")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(records))]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        before = sum(done)
        cluster.ctl("restart", "-m", "fast")
        restarted = sum(done)
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    seen = Counter(status for record in statuses for status in record)
    print(
        f"steps before the restart {before}, by its end {restarted}, in all {sum(done)}; "
        f"answers {dict(seen)}"
    )
    assert seen[503] > 0, "the restart was met"
    assert set(seen) <= {200, 503}, seen  # never a 500, and no request left unanswered
    assert sum(done) > restarted, "steps were taken again after the restart"
    for record_id, answered in zip(records, done, strict=True):
        assert _audited_steps(cluster, record_id) == answered  # each 2xx once, no more
    lines = log.read_text()
    assert lines.count("Booting worker") == 2, "the app servers were not restarted"
    assert "Traceback" not in lines


def test_a_read_only_database_refuses_steps_clearly_and_changes_nothing(cluster, seeded, pg_server):
    records, subject, _supervisor = seeded
    base, _log = pg_server
    cluster.sql("ALTER SYSTEM SET default_transaction_read_only = on")
    cluster.sql("SELECT pg_reload_conf()")
    url = f"{base}/api/v1/training-nominations/{records[0]}/transitions"
    headers = {"Authorization": f"Bearer {subject}"}
    with httpx.Client(timeout=30) as http:
        refused = http.post(url, headers=headers, json={"trigger": "submit"})
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"].endswith("/database_unavailable")
        # ours, not the rate limit's window (an hour here), which Flask-Limiter put there
        assert refused.headers["Retry-After"] == "5"
        assert _audited_steps(cluster, records[0]) == 0
        assert http.get(f"{base}/api/v1/inbox", headers=headers).status_code == 200  # reads go on
        cluster.sql("ALTER SYSTEM RESET default_transaction_read_only")
        cluster.sql("SELECT pg_reload_conf()")
        _wait(
            lambda: http.post(url, headers=headers, json={"trigger": "submit"}).status_code == 200,
            "writes again",
            20,
        )
    assert _audited_steps(cluster, records[0]) == 1


# A full disk on PostgreSQL: the database's files moved to a tablespace on a small
# filesystem of the test's own (tmpfs), which is then filled; PostgreSQL's own answer,
# "could not extend file: No space left on device" (53100), is what a full disk gives.


@pytest.fixture
def small_disk():
    """A 64 MB tmpfs PostgreSQL may write to (not under the test's own directory, which
    only root may enter); unmounted at the end, lazily: the cluster may hold its files
    until it is dropped."""
    disk = Path(tempfile.mkdtemp(prefix="alur-disk-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", str(disk)],
        check=True,
        capture_output=True,
        timeout=SECONDS,
    )
    try:
        shutil.chown(disk, "postgres", "postgres")
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=SECONDS)
        disk.rmdir()


def _fill(disk: Path) -> Path:
    """Write a file on ``disk`` until it is full; the file, to free the disk again."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * (1 << 20))
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    # what a page-sized write finds: nothing
    with pytest.raises(OSError) as full, (disk / "probe").open("wb") as probe:
        probe.write(b"\0" * 8192)
        probe.flush()
    assert full.value.errno == errno.ENOSPC
    return filler


def test_a_full_disk_on_postgresql_refuses_a_step_clearly_and_changes_nothing(
    small_disk, cluster, seeded, app
):
    from workflow.db import db

    records, subject, _supervisor = seeded
    with psycopg.connect(cluster.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE small LOCATION '{small_disk}'")
        conn.execute("ALTER DATABASE alur SET TABLESPACE small")
    filler = _fill(small_disk)

    def counted():
        ((state, version),) = cluster.query(
            "SELECT state, version FROM training_nominations WHERE id = %s", records[0]
        )
        ((entries,),) = cluster.query("SELECT count(*) FROM audit_log")
        ((events,),) = cluster.query("SELECT count(*) FROM outbox_events")
        return state, version, entries, events

    before = counted()
    kept = evidence_store.store()
    own = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": cluster.url})
    client = own.test_client()
    headers = {"Authorization": f"Bearer {subject}"}
    url = f"/api/v1/training-nominations/{records[0]}/transitions"
    # a comment that does not compress: it goes to pages of its own, which the disk lacks
    step = {"trigger": "submit", "comment": secrets.token_hex(2000)}
    try:
        refused = client.post(url, headers=headers, json=step)
        assert refused.status_code == 503, refused.get_json()
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.get_json()["type"].endswith("/database_unavailable")
        assert refused.headers["Retry-After"] == "5"
        assert counted() == before  # nothing half done: no state, entry or event
        assert client.get(url.rsplit("/", 1)[0], headers=headers).status_code == 200  # reads
        filler.unlink()
        taken = client.post(url, headers=headers, json=step)
        assert taken.status_code == 200, taken.get_json()
        state, version, entries, events = counted()
        assert (state, version) == ("submitted", before[1] + 1)
        assert entries == before[2] + 1 and events > before[3]
        log = cluster.log()
        assert "No space left on device" in log, log[-2000:]
    finally:
        with own.app_context():
            db.session.remove()
            db.engine.dispose()
        evidence_store.use(kept)
        configure_rules(app.config)


# A full disk: SQLite's own limit on the file's pages stands in for it (the same error,
# SQLITE_FULL, "database or disk is full"), on a database of the test's own.


def test_a_full_disk_refuses_a_step_clearly_and_changes_nothing(app, tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select

    from tests import factories
    from workflow.db import db
    from workflow.models import AuditEntry, TrainingNomination

    kept = evidence_store.store()
    own = create_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/full.db",
            "SQLALCHEMY_ENGINE_OPTIONS": {},  # not the PostgreSQL leg's connection options
        }
    )
    init_migrations(own)
    try:
        with own.app_context():
            upgrade()
            cast = factories.cast(db.session)
            record = new_record(db.session, cast, "training_nomination")
            token = tokens.issue(db.session, cast.subject, "full")[1]
            db.session.commit()
            record_id, version = record.id, record.version
            entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
            db.session.remove()

            @event.listens_for(db.engine, "connect")
            def _full(dbapi_connection, _record):
                # no page beyond those the file has: the next write finds the disk full
                pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

            db.engine.dispose()
        client = own.test_client()
        answer = client.post(
            f"/api/v1/training-nominations/{record_id}/transitions",
            headers={"Authorization": f"Bearer {token}"},
            json={"trigger": "submit", "comment": "x" * 4000},  # a page the file has not
        )
        assert answer.status_code == 503, answer.get_json()
        assert answer.get_json()["type"].endswith("/database_unavailable")
        with own.app_context():
            db.engine.dispose()
            event.remove(db.engine, "connect", _full)
            row = db.session.get(TrainingNomination, record_id)
            assert (row.state, row.version) == ("draft", version)  # nothing half done
            assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
            db.session.remove()
    finally:
        evidence_store.use(kept)
        configure_rules(app.config)
        with own.app_context():
            db.engine.dispose()
