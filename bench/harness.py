"""The benchmark's harness: the processes it starts (gunicorn, ``flask``), their memory, and
the HTTP clients that load them."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


PYTHON = sys.executable


FLASK = [PYTHON, "-m", "flask", "--app", "wsgi"]


def say(line: str) -> None:
    """Progress, on standard error (standard output carries the report)."""
    print(line, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One sealing key for the run: the processes it starts read the secrets one another wrote.
SECRETS_KEY = Fernet.generate_key().decode()


AUDIT_KEY = secrets.token_urlsafe(48)


def env_for(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "ALUR_ENV": "production",
            "SECRET_KEY": "bench-secret-key-not-for-use-elsewhere-0123456789",
            "SECURITY_PASSWORD_SALT": "bench-salt",
            "ALUR_RATELIMIT_ENABLED": "false",
            "ALUR_SESSION_COOKIE_SECURE": "false",
            "PYTHONPATH": str(ROOT),
            "ALUR_SECRETS_KEY": SECRETS_KEY,
            "ALUR_AUDIT_KEY": AUDIT_KEY,
            # the benchmark's receiver listens on 127.0.0.1
            "ALUR_WEBHOOK_ALLOW_PRIVATE": "true",
        }
    )
    env.update(extra)
    return env


def flask(database_url: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*FLASK, *args],
        cwd=ROOT,
        env=env_for(database_url),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def wait_for(port: int, pid: int, timeout: float = 60) -> None:
    """Until gunicorn's workers have loaded the app: a bound port shows only that the master
    is up, and a measurement must not time a worker's boot (a second and a half of import)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")  # any answer: a worker serves
            connection.getresponse().read()
            connection.close()
            break
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    else:
        raise RuntimeError(f"nothing answers on port {port} after {timeout} s")
    # The other workers boot on: until their CPU time stands still.
    before = None
    while time.monotonic() < deadline:
        now = sum(cpu_seconds(child) for child in children(pid))
        if now == before:
            return
        before = now
        time.sleep(0.3)


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """gunicorn serving ``app`` on a free port; stopped on exit."""

    def __init__(self, app: str, env: dict, workers: int, threads: int = 1):
        self.port = free_port()
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            app,
            "-b",
            f"127.0.0.1:{self.port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "600",
            "--keep-alive",
            "30",
        ]
        # The app's JSON log lines, written as in production, kept out of the report's way.
        self.log = tempfile.NamedTemporaryFile(prefix="alur-bench-server-")  # noqa: SIM115 - closed on exit
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=self.log)

    def __enter__(self) -> Server:
        wait_for(self.port, self.process.pid)
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.log.close()

    def worker_peak_rss_mb(self) -> float:
        """The largest VmHWM among gunicorn's worker processes."""
        peaks = [peak_rss_mb(pid) for pid in children(self.process.pid)]
        return max(peaks, default=0.0)


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of all its children so far: those it has reaped (which its
    own ``/proc`` entry sums) and those still running. Read at two moments, the difference
    counts a child that came or went between them, as a list of pids would not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime: fields 14-17 of stat(5); these are from the third on
    own = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in children(pid))


class CpuMeter:
    """CPU seconds that groups of processes spend from ``start`` to ``stop``; each group is a
    callable that reads its CPU time so far."""

    def __init__(self, **groups: Callable[[], float]):
        self.groups = groups
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: read() for name, read in self.groups.items()}

    def stop(self) -> dict[str, float]:
        return {name: read() - self._start.get(name, 0.0) for name, read in self.groups.items()}


def postgres_parent(pid: int) -> int | None:
    """The parent of a PostgreSQL process of this machine; None if ``pid`` is not one."""
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return None
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=data, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed_gets(client: Client, path: str, count: int) -> list[float]:
    """Milliseconds of ``count`` GETs of ``path``, each answered 200."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, body = client.call("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return times


def in_threads(target: Callable[[], None], count: int) -> float:
    """Run ``target`` in ``count`` threads at once; the seconds until all are done."""
    started = time.perf_counter()
    threads = [threading.Thread(target=target) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def hammer(
    port: int,
    token: str | None,
    ids: Iterable[int],
    path_of: Callable[[int], str],
    body,
    clients: int,
    seconds: float,
) -> dict:
    """``clients`` threads POST to ``path_of(id)`` for distinct ids for ``seconds``."""
    lock = threading.Lock()
    queue = iter(ids)
    times: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    def run() -> None:
        client = Client(port, token)
        while time.perf_counter() < stop_at:
            with lock:
                record_id = next(queue, None)
            if record_id is None:
                return
            started = time.perf_counter()
            status, answer = client.call("POST", path_of(record_id), body)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    times.append(elapsed)
                else:
                    errors.append(f"{status} {answer[:200]!r}")

    elapsed = in_threads(run, clients)
    if errors and not times:
        raise RuntimeError(f"every request failed, e.g. {errors[0]}")
    return {
        "done": len(times),
        "errors": len(errors),
        "seconds": elapsed,
        "per_second": len(times) / elapsed,
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "first_error": errors[0] if errors else None,
        "times": times,
    }
