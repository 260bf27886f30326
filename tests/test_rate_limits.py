"""One user's API limit holds across app processes when they count in one Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
import redis
from cryptography.fernet import Fernet

from workflow import tokens

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/0"
LIMIT = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(database_url: str, port: int, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ALUR_API_RATE_LIMIT": f"{LIMIT} per hour",  # a window no test run crosses
        **settings,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "2",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_serving(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr.read()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no server on port {port} after {seconds} s")


def _statuses_from_two_processes(database_url: str, token: str, **settings: str) -> list[Counter]:
    """Requests with one token, alternately to two app processes: each one's statuses."""
    ports = [_free_port(), _free_port()]
    servers = [_serve(database_url, port, **settings) for port in ports]
    try:
        for server, port in zip(servers, ports, strict=True):
            _wait_until_serving(server, port)
        seen = [Counter(), Counter()]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=10) as http:
            for n in range(LIMIT + 6):  # and alternately two routes: one allowance for the API
                path = ("/api/v1/inbox", "/api/v1/tokens")[n // 2 % 2]
                answer = http.get(f"http://127.0.0.1:{ports[n % 2]}{path}", headers=headers)
                seen[n % 2][answer.status_code] += 1
        return seen
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture
def token(session, cast) -> str:
    _row, token = tokens.issue(session, cast.supervisor, "limits")
    session.commit()
    return token


def test_one_tokens_limit_holds_across_two_app_processes_sharing_redis(database_url, token):
    prefix = f"alur-test-{uuid.uuid4().hex}"  # this run's counts only, whoever else uses Redis
    store = redis.Redis.from_url(REDIS, socket_timeout=5)
    try:
        seen = _statuses_from_two_processes(
            database_url,
            token,
            ALUR_ENV="production",
            SECRET_KEY="s" * 40,
            SECURITY_PASSWORD_SALT="t" * 40,
            ALUR_SECRETS_KEY=Fernet.generate_key().decode(),
            ALUR_AUDIT_KEY="k" * 48,
            ALUR_RATELIMIT_STORAGE_URI=REDIS,
            ALUR_RATELIMIT_KEY_PREFIX=prefix,
        )
        assert seen[0][200] + seen[1][200] == LIMIT, seen
        print(f"one token, {LIMIT} an hour, over two servers: {[dict(c) for c in seen]}")
        assert seen[0][429] > 0 and seen[1][429] > 0, seen  # each process refuses the token
        assert store.keys(f"*{prefix}*"), "the counts are kept in Redis"
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()


def test_per_process_counts_let_each_process_grant_the_whole_limit(database_url, token):
    # What the start-up refusal of memory:// outside development prevents.
    seen = _statuses_from_two_processes(
        database_url, token, ALUR_ENV="development", ALUR_RATELIMIT_STORAGE_URI="memory://"
    )
    assert seen[0][200] + seen[1][200] == LIMIT + 6, seen
