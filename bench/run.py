"""The benchmark: Alur against its own raw-SQL and COPY baselines, measured in one run.

``python -m bench`` (see README) builds a fresh database per size, imports a
generated population through ``flask import``, seeds records in every state,
serves the app with gunicorn and measures:

1. transitions/s and latency through the API against the raw-SQL baseline
   endpoint of the same server (``alur.api.baseline``), same clients;
2. inbox and list latency at each size (the ratio to the smallest size);
3. import rows/s against a plain ``COPY`` of the same file (PostgreSQL);
4. outbox deliveries/s against the receiver's own ceiling;
5. one bulk request approving 10,000 records (PostgreSQL, and SQLite);
6. peak RSS of the app's worker processes and of the outbox worker.

It writes ``report.json`` and ``report.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from sqlalchemy import text

from bench.generate import seed_history, seed_records, write_population

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "wsgi"]
TARGETS = {
    "transitions": 0.8,  # API throughput ≥ 0.8 x raw SQL
    "lists": 1.5,  # p95 at the largest size ≤ 1.5 x p95 at the smallest
    "import": 0.5,  # import ≥ 0.5 x COPY
    "outbox": 0.5,  # deliveries ≥ 0.5 x the receiver's ceiling
    "bulk_seconds": 10.0,  # 10,000 approvals in one request
    "audit_full_seconds": 120.0,  # a full audit verify at the largest size
    "audit_incremental_seconds": 5.0,  # after the bulk approval's steps
}


# -- processes and HTTP --------------------------------------------------------------------


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
    env.update({
        "DATABASE_URL": database_url, "ALUR_ENV": "production",
        "SECRET_KEY": "bench-secret-key-not-for-use-elsewhere-0123456789",
        "SECURITY_PASSWORD_SALT": "bench-salt", "ALUR_RATELIMIT_ENABLED": "false",
        "ALUR_BENCH_BASELINE": "true", "ALUR_SESSION_COOKIE_SECURE": "false",
        "PYTHONPATH": str(ROOT), "ALUR_SECRETS_KEY": SECRETS_KEY, "ALUR_AUDIT_KEY": AUDIT_KEY,
        # the benchmark's receiver listens on 127.0.0.1
        "ALUR_WEBHOOK_ALLOW_PRIVATE": "true",
    })  # fmt: skip
    env.update(extra)
    return env


def flask(database_url: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([*FLASK, *args], cwd=ROOT, env=env_for(database_url), input=stdin,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Server:
    """gunicorn serving ``app`` on a free port; stopped on exit."""

    def __init__(self, app: str, env: dict, workers: int, threads: int = 1):
        self.port = free_port()
        command = [PYTHON, "-m", "gunicorn", app, "-b", f"127.0.0.1:{self.port}",
                   "-w", str(workers), "--threads", str(threads), "--log-level", "warning",
                   "--timeout", "600", "--keep-alive", "30"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    def __enter__(self) -> Server:
        wait_for(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def worker_peak_rss_mb(self) -> float:
        """The largest VmHWM among gunicorn's worker processes."""
        peaks = [peak_rss_mb(pid) for pid in children(self.process.pid)]
        return max(peaks, default=0.0)


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


def hammer(port: int, token: str, ids: list[int], path_of: Callable[[int], str], body,
           clients: int, seconds: float) -> dict:  # fmt: skip
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


# -- databases -------------------------------------------------------------------------------


def sized_url(url: str, size: int) -> str:
    """The database (PostgreSQL) or file (SQLite) of one size: ``NAME_<size>``."""
    head, sep, query = url.partition("?")
    base, _, name = head.rpartition("/")
    stem, dot, suffix = name.partition(".")
    return f"{base}/{stem}_{size}{dot}{suffix}{sep}{query}"


def fresh_database(url: str) -> None:
    """Drop and create the benchmark's database (PostgreSQL) or file (SQLite)."""
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path.removeprefix("/"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(f"/{name}", "/postgres", 1)
    with psycopg.connect(admin.replace("postgresql+psycopg", "postgresql"),
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def app_for(url: str):
    from alur import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": False,
            "SECRETS_KEY": SECRETS_KEY,
            "AUDIT_KEY": AUDIT_KEY,
        }
    )


def plain_copy_seconds(url: str, csv_path: Path) -> float | None:
    """A plain COPY of the same file into a bare table of text columns (the I/O floor)."""
    if url.startswith("sqlite"):
        return None
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute("CREATE UNLOGGED TABLE bench_plain_copy (nip text, name text, status text, "
                     "rank text, position text, agency_code text, unit_code text, "
                     "supervisor_nip text)")  # fmt: skip
        started = time.perf_counter()
        copy = "COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER)"
        with conn.cursor().copy(copy) as c, csv_path.open("rb") as f:
            while block := f.read(1 << 20):
                c.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_plain_copy")
        conn.commit()
    return seconds


def table_copy_seconds(url: str) -> float | None:
    """A COPY of the imported rows, ids resolved, into ``employees`` itself, rolled back.

    The floor for this table: the same indexes and foreign-key checks the import's
    insert pays, without reading, checking or resolving anything.
    """
    if url.startswith("sqlite"):
        return None
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        blocks = []
        with conn.cursor().copy("COPY employees TO STDOUT") as c:
            blocks.extend(bytes(block) for block in c)
        # only the other reference tables are filled yet, so the cascade empties nothing else
        conn.execute("TRUNCATE employees CASCADE")
        started = time.perf_counter()
        with conn.cursor().copy("COPY employees FROM STDIN") as c:
            for block in blocks:
                c.write(block)
        seconds = time.perf_counter() - started
        conn.rollback()
    return seconds


def accounts(url: str) -> dict[str, str]:
    """An admin, an HR officer of the last agency and a section head, with API tokens."""
    app = app_for(url)
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import Agency, Appraisal, Employee

    with app.app_context():
        # The section head with the most appraisals waiting for them: the busiest inbox.
        chief = db.session.execute(
            select(Employee.nip, func.count()).join(Appraisal, Appraisal.assessor_id == Employee.id)
            .where(Appraisal.state == "submitted").group_by(Employee.nip)
            .order_by(func.count().desc(), Employee.nip).limit(1)
        ).first()  # fmt: skip
        # The last employee imported works in the last agency: its staff come after
        # everyone else's in id order, the far end of every list by id.
        officer = db.session.execute(
            select(Employee.nip, Agency.code).join(Agency, Agency.id == Employee.agency_id)
            .order_by(Employee.id.desc()).limit(1)
        ).first()  # fmt: skip
    tokens = {}
    for key, args in {
        "admin": ["--role", "admin", "--name", "Bench admin"],
        "hr": ["--role", "hr_officer", "--agency", officer.code, "--employee", officer.nip],
        "supervisor": ["--role", "supervisor", "--employee", chief.nip],
    }.items():
        email = f"{key}@bench.alur.id"
        flask(url, "users", "create", email, *args, "--no-password")
        tokens[key] = flask(url, "tokens", "create", email, "--days", "2").strip().splitlines()[-1]
    return tokens


def ids(url: str, state: str, limit: int, offset: int = 0) -> list[int]:
    app = app_for(url)
    from sqlalchemy import select

    from workflow.db import db
    from workflow.models import Appraisal

    with app.app_context():
        return list(db.session.scalars(
            select(Appraisal.id).where(Appraisal.state == state).order_by(Appraisal.id)
            .offset(offset).limit(limit)
        ))  # fmt: skip


# -- the phases --------------------------------------------------------------------------------


def build(url: str, size: int, data: Path) -> dict:
    """A fresh database with ``size`` employees imported and records seeded."""
    fresh_database(url)
    flask(url, "db", "upgrade")
    population = write_population(data / str(size), size)
    timings = {}
    for kind in ("agencies", "units", "employees"):
        said = flask(url, "import", kind, str(data / str(size) / f"{kind}.csv"), "--quiet")
        # the command's own figure: from opening the file to the commit, without start-up
        timings[kind] = float(re.search(r" in ([0-9.]+) s \(", said).group(1))
    copy = plain_copy_seconds(url, data / str(size) / "employees.csv")
    table_copy = table_copy_seconds(url)
    app = app_for(url)
    with app.app_context():
        from workflow.db import db

        started = time.perf_counter()
        records = seed_records(db.session)
        seeding = time.perf_counter() - started
        started = time.perf_counter()
        entries = seed_history(db.session)
        history = time.perf_counter() - started
        if not url.startswith("sqlite"):
            # Measured in the steady state of a database in service: the seed's UPDATEs
            # leave dead rows (a third of the appraisals) that autovacuum would clear in
            # time, on a server that runs it at all; the largest size suffers them most.
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE)"))
    rows = population.employees
    result = {
        "employees": rows, "agencies": population.agencies, "units": population.units,
        "records": records, "seed_seconds": seeding,
        "audit_entries": entries, "history_seconds": history,
        "import_seconds": timings["employees"], "import_rows_per_s": rows / timings["employees"],
        "copy_seconds": copy, "copy_rows_per_s": rows / copy if copy else None,
        "table_copy_seconds": table_copy,
        "table_copy_rows_per_s": rows / table_copy if table_copy else None,
    }  # fmt: skip
    result["import_ratio"] = (result["import_rows_per_s"] / result["copy_rows_per_s"]
                              if copy else None)  # fmt: skip
    result["import_table_ratio"] = (result["import_rows_per_s"] / result["table_copy_rows_per_s"]
                                    if table_copy else None)  # fmt: skip
    # No import into employees can beat a COPY of its finished rows into it: the most the
    # import's ratio to the plain COPY could ever be, whatever the import does.
    result["import_bound"] = (result["table_copy_rows_per_s"] / result["copy_rows_per_s"]
                              if copy and table_copy else None)  # fmt: skip
    return result


# The lists measured at every size: (whose token, path).
LISTS = {
    "inbox (supervisor)": ("supervisor", "/api/v1/inbox?limit=50"),
    "appraisals, submitted (admin)": ("admin", "/api/v1/appraisals?state=submitted&limit=50"),
    "appraisals of the agency (HR)": ("hr", "/api/v1/appraisals?limit=50"),
    "employees of the agency (HR)": ("hr", "/api/v1/employees?limit=50"),
    "appraisals a supervisor takes part in": ("supervisor", "/api/v1/appraisals?limit=50"),
    "nominations, reviewed (admin)": ("admin",
                                      "/api/v1/training-nominations?state=reviewed&limit=50"),
    "mentoring of the agency (HR)": ("hr", "/api/v1/mentoring-assignments?limit=50"),
    "mentoring, active (admin)": ("admin",
                                  "/api/v1/mentoring-assignments?state=active&limit=50"),
}  # fmt: skip


def lists_by_turns(ports: dict[int, int], tokens: dict[int, dict], repeat: int,
                   rounds: int = 4) -> dict[int, dict]:  # fmt: skip
    """Every list at every size (one server each), the sizes taking turns in ABBA order.

    Measured in the same minutes, whatever slows the machine meanwhile (a neighbour, a
    checkpoint) falls on every size alike; measured one size after another, as the
    sizes are built, it would fall on one and be read as the cost of its size.
    """
    clients = {size: {who: Client(port, token) for who, token in tokens[size].items()}
               for size, port in ports.items()}  # fmt: skip
    times: dict[int, dict[str, list[float]]] = {size: {name: [] for name in LISTS}
                                                for size in ports}  # fmt: skip
    for size in ports:  # warm each server's workers and caches first
        for who, path in LISTS.values():
            timed_gets(clients[size][who], path, 10)
    order = sorted(ports)
    for turn in range(rounds):
        count = repeat // rounds + (turn < repeat % rounds)  # ``repeat`` in all
        for size in order if turn % 2 == 0 else order[::-1]:
            for name, (who, path) in LISTS.items():
                times[size][name] += timed_gets(clients[size][who], path, count)
    return {size: {name: {"p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95),
                          "n": len(t)} for name, t in by_name.items()}
            for size, by_name in times.items()}  # fmt: skip


def transitions(port: int, token: str, drafts: list[int], clients: int, seconds: float,
                rounds: int = 6) -> dict:  # fmt: skip
    """API and raw SQL by turns, ``rounds`` times each (half the time each), in ABBA order.

    Taking turns spreads over both whatever the server does meanwhile (autovacuum of the
    rows just updated, a checkpoint), which a single run of each would lay on one.
    """
    half = len(drafts) // 2
    paths = {
        "api": (lambda i: f"/api/v1/appraisals/{i}/transitions", {"trigger": "submit"}),
        "raw_sql": (lambda i: f"/api/bench/raw/appraisals/{i}/submit", None),
    }
    ids = {"api": iter(drafts[:half]), "raw_sql": iter(drafts[half:])}
    # Warm both paths first, so neither pays for the other's first imports and caches.
    for name, (path_of, body) in paths.items():
        hammer(port, token, [next(ids[name]) for _ in range(20)], path_of, body, clients,
               seconds)  # fmt: skip
    runs: dict[str, list[dict]] = {"api": [], "raw_sql": []}
    for turn in range(rounds):
        order = ("api", "raw_sql") if turn % 4 in (0, 3) else ("raw_sql", "api")
        for name in order:
            path_of, body = paths[name]
            runs[name].append(hammer(port, token, ids[name], path_of, body, clients,
                                     seconds / rounds))  # fmt: skip
    result = {name: _combined(parts) for name, parts in runs.items()}
    raw_rate = result["raw_sql"]["per_second"]
    result["ratio"] = result["api"]["per_second"] / raw_rate if raw_rate else None
    result["rounds"] = rounds
    # a round in which either side had no ids left (a tiny population) has no ratio
    pairs = zip(runs["api"], runs["raw_sql"], strict=True)
    result["round_ratios"] = [a["per_second"] / r["per_second"] for a, r in pairs
                              if a["done"] and r["done"]]  # fmt: skip
    return result


def _combined(parts: list[dict]) -> dict:
    times = [t for part in parts for t in part.pop("times")]
    done, seconds = sum(p["done"] for p in parts), sum(p["seconds"] for p in parts)
    errors = [p["first_error"] for p in parts if p["first_error"]]
    return {
        "done": done, "errors": sum(p["errors"] for p in parts), "seconds": seconds,
        "per_second": done / seconds, "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99), "first_error": errors[0] if errors else None,
    }  # fmt: skip


def bulk(port: int, token: str, reviewed: list[int]) -> dict:
    client = Client(port, token)
    items = [{"id": i, "trigger": "approve"} for i in reviewed]
    started = time.perf_counter()
    status, body = client.call("POST", "/api/v1/appraisals/transitions", {"items": items})
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"bulk approval: {status} {body[:300]!r}")
    answer = json.loads(body)
    return {"items": len(items), "succeeded": answer["succeeded"], "failed": answer["failed"],
            "seconds": seconds}  # fmt: skip


def receiver_ceiling(port: int, clients: int, seconds: float) -> float:
    """Requests/s the receiver takes from ``clients`` connections sending event-sized bodies."""
    body = {"type": "appraisal.submitted", "timestamp": "2026-01-01T00:00:00Z",
            "data": {"id": 1, "from": "draft", "to": "submitted", "trigger": "submit",
                     "actor": 1, "via": "api", "version": 2,
                     "at": "2026-01-01T00:00:00+00:00"}}  # fmt: skip
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = [0]
    stop_at = time.perf_counter() + seconds

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        data = json.dumps(body)
        while time.perf_counter() < stop_at:
            with lock:
                n = next(counter)
            headers = {"Content-Type": "application/json", "webhook-id": f"msg_{n}",
                       "webhook-timestamp": "0", "webhook-signature": "v1,x"}  # fmt: skip
            connection.request("POST", "/events", body=data, headers=headers)
            connection.getresponse().read()
            with lock:
                done[0] += 1

    seconds = in_threads(run, clients)
    return done[0] / seconds


def subscribe(url: str, port: int) -> None:
    """Subscribe the receiver to every event from now on (before the events are written)."""
    from workflow import webhooks
    from workflow.db import db

    with app_for(url).app_context():
        # the benchmark's own receiver, on 127.0.0.1: allowed for it alone
        webhooks.add_subscription(db.session, f"http://127.0.0.1:{port}/events", ["*"],
                                  name="bench", allow_private=True)  # fmt: skip
        db.session.commit()


def outbox(url: str, receiver: Server, events_limit: int, clients: int, threads: int,
           workers: int, seconds: float) -> dict:  # fmt: skip
    """Deliver the newest events to the receiver; compare with the receiver's ceiling.

    The ceiling is taken with ``clients`` connections. The same events are delivered
    by one worker, then again (afresh: fanned out anew) by ``workers`` workers, each
    sending with ``threads`` threads; the figure is the faster.
    """
    ceiling = receiver_ceiling(receiver.port, clients, seconds)
    from sqlalchemy import delete, func, select, update

    from workflow.db import db, utcnow
    from workflow.models import DeliveryAttempt, OutboxDelivery, OutboxEvent

    app = app_for(url)
    with app.app_context():
        # Only the newest ``events_limit`` events are sent; the older ones count as done.
        oldest_kept = db.session.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id.desc())
                                         .offset(events_limit).limit(1)).first() or 0  # fmt: skip
        db.session.execute(update(OutboxEvent).where(OutboxEvent.id <= oldest_kept)
                           .values(dispatched_at=utcnow()))  # fmt: skip
        db.session.commit()
        events = db.session.scalar(select(func.count()).select_from(OutboxEvent)
                                   .where(OutboxEvent.dispatched_at.is_(None)))  # fmt: skip
    runs = {}
    for count in sorted({1, workers}):
        if runs:  # the same events again, from the fan-out on
            with app.app_context():
                db.session.execute(delete(DeliveryAttempt))
                db.session.execute(delete(OutboxDelivery))
                db.session.execute(update(OutboxEvent).where(OutboxEvent.id > oldest_kept)
                                   .values(dispatched_at=None))  # fmt: skip
                db.session.commit()
        runs[count] = _deliver(app, url, events, count, threads)
    best = max(runs.values(), key=lambda r: r["per_second"])
    return {"events": events, "delivered": best["delivered"], "seconds": best["seconds"],
            "per_second": best["per_second"], "workers": best["workers"],
            "receiver_ceiling_per_s": ceiling, "ratio": best["per_second"] / ceiling,
            "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in runs.values()),
            "worker_threads": threads, "batch": threads * 64, "ceiling_clients": clients,
            "runs": {str(k): v for k, v in runs.items()}}  # fmt: skip


def _deliver(app, url: str, events: int, workers: int, threads: int) -> dict:
    """Start ``workers`` outbox workers and time them from the first delivery to the last."""
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import OutboxDelivery

    # Batches of 64 sends per thread: a round's few statements are spread thin.
    env = env_for(url, ALUR_OUTBOX_CONCURRENCY=str(threads), ALUR_OUTBOX_BATCH=str(threads * 64),
                  ALUR_OUTBOX_LEASE="300", ALUR_OUTBOX_POLL="0.1")  # fmt: skip
    command = [*FLASK, "outbox", "work", "--quiet"]
    procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
             for _ in range(workers)]  # fmt: skip
    started = time.perf_counter()
    delivered, peak, first = 0, 0.0, None
    try:
        with app.app_context():
            while time.perf_counter() - started < 600 and all(p.poll() is None for p in procs):
                delivered = db.session.scalar(
                    select(func.count()).select_from(OutboxDelivery)
                    .where(OutboxDelivery.status == "delivered"))  # fmt: skip
                db.session.rollback()
                peak = max([peak, *(peak_rss_mb(p.pid) for p in procs)])
                if first is None and delivered:
                    # timed from the first delivery on: the workers' start-up is not delivery
                    first = (time.perf_counter(), delivered)
                if delivered >= events:
                    break
                time.sleep(0.02)
        finished = time.perf_counter()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    if delivered < events:
        raise RuntimeError(f"the outbox ({workers} workers) delivered {delivered} of {events}")
    seconds_taken = finished - first[0]
    rate = (delivered - first[1]) / seconds_taken if seconds_taken > 0 else 0.0
    return {"workers": workers, "delivered": delivered, "seconds": seconds_taken,
            "per_second": rate, "worker_peak_rss_mb": peak}  # fmt: skip


# -- the run and its report ----------------------------------------------------------------------


def run(args) -> dict:
    started = datetime.now(UTC)
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "sizes": args.sizes,
            "clients": args.clients,
            "seconds": args.seconds,
            "workers": args.workers,
            "bulk": args.bulk,
        },
        "sizes": {},
        "targets": TARGETS,
    }
    data = Path(args.out) / "data"
    largest = max(args.sizes)
    urls = {size: sized_url(args.database_url, size) for size in sorted(args.sizes)}
    tokens = {}
    for size, url in urls.items():
        say(f"[bench] {size:,} employees: building")
        report["sizes"][str(size)] = build(url, size, data)
        tokens[size] = accounts(url)
    say("[bench] lists, the sizes by turns")
    with ExitStack() as stack:
        ports = {size: stack.enter_context(Server("wsgi:app", env_for(url),
                                                  workers=args.workers)).port
                 for size, url in urls.items()}  # fmt: skip
        for size, by_name in lists_by_turns(ports, tokens, args.repeat).items():
            report["sizes"][str(size)]["lists"] = by_name
    url, entry = urls[largest], report["sizes"][str(largest)]
    with Server("bench.receiver:app", env_for(url), workers=1, threads=args.clients) as receiver:
        subscribe(url, receiver.port)  # before the transitions write their events
        entry.update(_serve(args, url, tokens[largest]))
        say(f"[bench] {largest:,}: outbox")
        entry["outbox"] = outbox(url, receiver, args.events, args.clients, args.outbox_threads,
                                 args.outbox_workers, args.seconds)  # fmt: skip
    say(f"[bench] {largest:,}: audit verify")
    entry["audit"] = audit_phase(url)
    if args.sqlite_bulk:
        say(f"[bench] SQLite: bulk approval of {args.bulk:,}")
        url = f"sqlite:///{Path(args.out).resolve() / 'bench.sqlite'}"
        entry = build(url, args.sqlite_bulk, data)
        tokens = accounts(url)
        with Server("wsgi:app", env_for(url), workers=1) as server:
            entry["bulk"] = bulk(server.port, tokens["admin"], ids(url, "reviewed", args.bulk))
        report["sqlite"] = entry
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def _serve(args, url: str, tokens: dict) -> dict:
    """Transitions, the bulk approval and the workers' memory, at the largest size."""
    entry: dict = {}
    with Server("wsgi:app", env_for(url), workers=args.workers) as server:
        say("[bench] transitions")
        drafts = ids(url, "draft", 200_000)
        entry["transitions"] = transitions(server.port, tokens["admin"], drafts, args.clients,
                                           args.seconds)  # fmt: skip
        # Checkpointed before the bulk approval: the incremental verify (``audit_phase``)
        # then has the bulk's steps after the checkpoint.
        started = time.perf_counter()
        flask(url, "audit", "checkpoint")
        entry["checkpoint_seconds"] = time.perf_counter() - started
        say(f"[bench] bulk approval of {args.bulk:,}")
        entry["bulk"] = bulk(server.port, tokens["admin"], ids(url, "reviewed", args.bulk))
        entry["worker_peak_rss_mb"] = server.worker_peak_rss_mb()
    return entry


def audit_phase(url: str) -> dict:
    """``flask audit verify``, incremental and full: the command's own time, and the wall
    time with the process's start-up; a plain read of the log as the floor (PostgreSQL)."""
    app = app_for(url)
    with app.app_context():
        from workflow.db import db

        cp = db.session.execute(text("SELECT max(audit_upto) FROM audit_checkpoints")).scalar()
        counted = text("SELECT (SELECT count(*) FROM audit_log), "
                       "(SELECT count(*) FROM audit_log WHERE id > :upto), "
                       "(SELECT count(*) FROM change_log)")  # fmt: skip
        total, since, changes = db.session.execute(counted, {"upto": cp or 0}).one()
        db.session.rollback()
    result: dict = {"entries": total, "change_entries": changes, "new_entries": since}
    for name, args in (("incremental", ("--since-checkpoint",)), ("full", ())):
        started = time.perf_counter()
        said = flask(url, "audit", "verify", *args)
        result[f"{name}_wall_seconds"] = time.perf_counter() - started
        # the command's own figure, without the process's start-up (as for the import)
        result[f"{name}_seconds"] = float(re.search(r" in ([0-9.]+) s$", said.strip()).group(1))
    result["full_entries_per_s"] = (total + changes) / result["full_seconds"]
    started = time.perf_counter()
    flask(url, "audit", "checkpoint")
    result["checkpoint_seconds"] = time.perf_counter() - started
    result["read_seconds"] = None
    if not url.startswith("sqlite"):
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            started = time.perf_counter()
            with conn.cursor().copy("COPY audit_log TO STDOUT") as c:
                for _block in c:
                    pass
            result["read_seconds"] = time.perf_counter() - started
    return result


def summary(report: dict) -> dict:
    sizes = report["sizes"]
    smallest, largest = min(sizes, key=int), max(sizes, key=int)
    big = sizes[largest]
    result = {}
    if big.get("transitions", {}).get("ratio") is not None:
        result["transitions"] = big["transitions"]["ratio"]
    result["lists"] = {name: big["lists"][name]["p95_ms"] / sizes[smallest]["lists"][name]["p95_ms"]
                       for name in big["lists"]}  # fmt: skip
    result["import"] = big.get("import_ratio")
    if "outbox" in big:
        result["outbox"] = big["outbox"]["ratio"]
    if "bulk" in big:
        result["bulk_seconds"] = big["bulk"]["seconds"]
    if "audit" in big:
        result["audit_full_seconds"] = big["audit"]["full_seconds"]
        result["audit_incremental_seconds"] = big["audit"]["incremental_seconds"]
    return result


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    largest = max(sizes, key=int)
    big = sizes[largest]
    s = summary(report)
    mark = {True: "met", False: "**not met**", None: "n/a"}
    lines = [
        "# Alur benchmark", "",
        f"{report['started']} → {report['finished']}; {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}; gunicorn {report['settings']['workers']} "
        f"workers; {report['settings']['clients']} clients.", "",
        "## Against the targets", "",
        "| measure | figure | target | |", "|---|---|---|---|",
    ]  # fmt: skip
    if "transitions" in s:
        t = big["transitions"]
        lines.append(
            f"| API transitions ÷ raw SQL ({int(largest):,} employees) | "
            f"{t['api']['per_second']:.0f}/s ÷ {t['raw_sql']['per_second']:.0f}/s = "
            f"**{s['transitions']:.2f}** | ≥ 0.8 | {mark[s['transitions'] >= 0.8]} |"
        )
    for name, ratio in s["lists"].items():
        lines.append(
            f"| p95 {name}: {int(largest):,} ÷ {int(min(sizes, key=int)):,} | "
            f"**{ratio:.2f}** | ≤ 1.5 | {mark[ratio <= 1.5]} |"
        )
    if s.get("import") is not None:
        lines.append(
            f"| import ÷ plain COPY ({int(largest):,} rows) | "
            f"{big['import_rows_per_s']:,.0f} ÷ {big['copy_rows_per_s']:,.0f} rows/s = "
            f"**{s['import']:.2f}** | ≥ 0.5 | {mark[s['import'] >= 0.5]} |"
        )
    if big.get("import_table_ratio") is not None:
        lines.append(
            f"| import ÷ COPY of the resolved rows into `employees` | "
            f"{big['import_rows_per_s']:,.0f} ÷ {big['table_copy_rows_per_s']:,.0f} rows/s = "
            f"**{big['import_table_ratio']:.2f}** | (context) | |"
        )
    if big.get("import_bound") is not None:
        lines.append(
            f"| COPY of the resolved rows into `employees` ÷ plain COPY: the most any import "
            f"into `employees` can reach | {big['table_copy_rows_per_s']:,.0f} ÷ "
            f"{big['copy_rows_per_s']:,.0f} rows/s = **{big['import_bound']:.2f}** | (bound) | |"
        )
    if "outbox" in s:
        o = big["outbox"]
        workers = o.get("workers", 1)
        lines.append(
            f"| outbox ({workers} worker{'s' if workers > 1 else ''}) ÷ receiver ceiling | "
            f"{o['per_second']:.0f} ÷ {o['receiver_ceiling_per_s']:.0f}/s = "
            f"**{s['outbox']:.2f}** | ≥ 0.5 | {mark[s['outbox'] >= 0.5]} |"
        )
    if "bulk" in big:
        b = big["bulk"]
        lines.append(
            f"| bulk approval, PostgreSQL: {b['succeeded']:,} of {b['items']:,} | "
            f"**{b['seconds']:.1f} s** | ≤ 10 s | {mark[b['seconds'] <= 10]} |"
        )
    if "sqlite" in report:
        b = report["sqlite"]["bulk"]
        lines.append(
            f"| bulk approval, SQLite: {b['succeeded']:,} of {b['items']:,} | "
            f"**{b['seconds']:.1f} s** | ≤ 10 s | {mark[b['seconds'] <= 10]} |"
        )
    if "audit" in big:
        a = big["audit"]
        lines.append(
            f"| full `audit verify` ({int(largest):,} employees: {a['entries']:,} audit and "
            f"{a['change_entries']:,} change entries) | **{a['full_seconds']:.1f} s** "
            f"({a['full_entries_per_s']:,.0f} entries/s; {a['full_wall_seconds']:.1f} s with "
            f"the start-up) | < 120 s | {mark[a['full_seconds'] < 120]} |"
        )
        lines.append(
            f"| `audit verify --since-checkpoint` after {a['new_entries']:,} new steps | "
            f"**{a['incremental_seconds']:.1f} s** ({a['incremental_wall_seconds']:.1f} s with "
            f"the start-up) | < 5 s | {mark[a['incremental_seconds'] < 5]} |"
        )
        if a.get("read_seconds"):
            lines.append(
                f"| full verify ÷ a plain read of the log (`COPY audit_log TO STDOUT`, "
                f"{a['read_seconds']:.1f} s) | **{a['full_seconds'] / a['read_seconds']:.1f}** "
                f"| (context) | |"
            )
    lines += ["", "## Latency by size (ms)", "",
              "| endpoint | " + " | ".join(f"{int(k):,}: p50 / p95" for k in sizes) + " |",
              "|---|" + "---|" * len(sizes)]  # fmt: skip
    for name in big["lists"]:
        figures = [sizes[k]["lists"][name] for k in sizes]
        cells = [f"{f['p50_ms']:.1f} / {f['p95_ms']:.1f}" for f in figures]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Details", ""]
    for k, v in sizes.items():
        lines.append(
            f"* {int(k):,} employees ({v['agencies']} agencies, {v['units']:,} units; "
            f"records {v['records']}): import {v['import_seconds']:.1f} s "
            f"({v['import_rows_per_s']:,.0f} rows/s), seeding {v['seed_seconds']:.1f} s, "
            f"their audit history ({v['audit_entries']:,} entries) {v['history_seconds']:.1f} s"
        )
    if "transitions" in big:
        for name in ("api", "raw_sql"):
            t = big["transitions"][name]
            lines.append(f"* transitions via {name}: {t['done']:,} in {t['seconds']:.1f} s, "
                         f"p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms, "
                         f"errors {t['errors']}")  # fmt: skip
        if big["transitions"].get("round_ratios"):
            ratios = ", ".join(f"{r:.2f}" for r in big["transitions"]["round_ratios"])
            lines.append(f"* transitions by turns ({big['transitions']['rounds']} rounds of each, "
                         f"ABBA order), ratio per round: {ratios}")  # fmt: skip
    if "worker_peak_rss_mb" in big:
        lines.append(f"* peak RSS of a gunicorn worker: {big['worker_peak_rss_mb']:.0f} MB")
    if "outbox" in big:
        o = big["outbox"]
        for run_ in o.get("runs", {}).values():
            lines.append(f"* outbox, {run_['workers']} worker(s) of {o['worker_threads']} "
                         f"sending threads (batches of {o['batch']}): {run_['delivered']:,} "
                         f"deliveries in {run_['seconds']:.1f} s = {run_['per_second']:.0f}/s "
                         f"= {run_['per_second'] / o['receiver_ceiling_per_s']:.2f} of the "
                         f"receiver's ceiling (taken with {o['ceiling_clients']} "
                         "connections)")  # fmt: skip
        lines.append(f"* outbox worker peak RSS: {o['worker_peak_rss_mb']:.0f} MB")
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/alur_bench"))  # fmt: skip
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        type=lambda v: [int(x) for x in v.split(",")])  # fmt: skip
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=15, help="per throughput run")
    parser.add_argument("--repeat", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--bulk", type=int, default=10_000, help="records in the bulk request")
    parser.add_argument("--events", type=int, default=10_000, help="events the outbox delivers")
    parser.add_argument("--outbox-threads", type=int, default=8,
                        help="sending threads of each outbox worker")  # fmt: skip
    parser.add_argument(
        "--outbox-workers",
        type=int,
        default=2,
        help="outbox workers of the second delivery run (the first has one)",
    )
    parser.add_argument("--sqlite-bulk", type=int, default=100_000,
                        help="employees of the SQLite bulk run (0: skip it)")  # fmt: skip
    parser.add_argument("--out", default="bench-report")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    report = run(args)
    report["summary"] = summary(report)
    (Path(args.out) / "report.json").write_text(json.dumps(report, indent=2))
    table = markdown(report)
    (Path(args.out) / "report.md").write_text(table)
    print(table)  # the report is the command's output
    return 0
