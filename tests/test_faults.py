"""Faults a national service meets, each on real processes: Redis stopped under an app
server (gunicorn, by ``gunicorn.conf.py``) and started again."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from tests import backoffice as bo
from tests.factories import new_record
from tests.test_dashboard import counts
from tests.workflow_paths import bring_to

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 90  # the bound of every wait here (the limiter looks for Redis again within 63 s)
LIMIT = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, what: str, seconds: float = SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class RedisServer:
    """A Redis of the test's own (the machine's must not be stopped), on a free port."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
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
    port = _free_port()
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    prefix = f"alur-fault-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SECURITY_PASSWORD_SALT": app.config["SECURITY_PASSWORD_SALT"],
        "ALUR_RATELIMIT_STORAGE_URI": url,
        "ALUR_RATELIMIT_KEY_PREFIX": prefix,
        "ALUR_API_RATE_LIMIT": f"{LIMIT} per hour",
        "ALUR_CACHE_TYPE": "RedisCache",
        "ALUR_CACHE_REDIS_URL": url,
        "ALUR_BIND": f"127.0.0.1:{port}",
        "ALUR_WORKERS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(serving, "the app server", 60)
        yield base, prefix, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


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
        assert ready.status_code == 503
        assert ready.json()["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "redis (rate limits)": "fail",
            "redis (cache)": "fail",
        }
        assert http.get("/health").status_code == 200
        page = http.get("/admin/dashboard")  # the shared counts' cache is down: counted now
        assert page.status_code == 200
        assert counts(page.text, "appraisal")["submitted"] == 1
        assert 'id="counted-at"' not in page.text

        redis_server.start()  # empty: what was counted before is gone with it
        _wait(lambda: inbox().status_code and bool(redis_server.keys(f"*{prefix}*")), "Redis again")
        assert http.get("/ready").status_code == 200
        assert inbox().status_code == 200  # a fresh allowance in the fresh Redis
    lines = log.read_text()
    assert '"logger": "flask-limiter"' in lines  # said, as JSON
    assert "falling back to in-memory storage" in lines
    assert "Rate limit storage recovered" in lines
    assert "Traceback" not in lines
