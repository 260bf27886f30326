"""What the benchmark measures, each against its baseline in the same run: transitions, lists,
bulk approval, outbox delivery, audit verification."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import threading
import time

from sqlalchemy import text

from bench.harness import (
    FLASK,
    ROOT,
    Client,
    CpuMeter,
    Server,
    cpu_seconds,
    env_for,
    flask,
    hammer,
    in_threads,
    peak_rss_mb,
    percentile,
    postgres_parent,
    timed_gets,
    tree_cpu_seconds,
)
from bench.load import app_for

# The lists measured at every size: (whose token, path).
LISTS = {
    "inbox (supervisor)": ("supervisor", "/api/v1/inbox?limit=50"),
    "appraisals, submitted (admin)": ("admin", "/api/v1/appraisals?state=submitted&limit=50"),
    "appraisals of the agency (HR)": ("hr", "/api/v1/appraisals?limit=50"),
    "employees of the agency (HR)": ("hr", "/api/v1/employees?limit=50"),
    "appraisals a supervisor takes part in": ("supervisor", "/api/v1/appraisals?limit=50"),
    "nominations, reviewed (admin)": (
        "admin",
        "/api/v1/training-nominations?state=reviewed&limit=50",
    ),
    "mentoring of the agency (HR)": ("hr", "/api/v1/mentoring-assignments?limit=50"),
    "mentoring, active (admin)": ("admin", "/api/v1/mentoring-assignments?state=active&limit=50"),
}


def lists_by_turns(
    ports: dict[int, int], tokens: dict[int, dict], repeat: int, rounds: int = 4
) -> dict[int, dict]:
    """Every list at every size (one server each), the sizes taking turns in ABBA order.

    Measured in the same minutes, whatever slows the machine meanwhile (a neighbour, a
    checkpoint) falls on every size alike; measured one size after another, as the
    sizes are built, it would fall on one and be read as the cost of its size.
    """
    clients = {
        size: {who: Client(port, token) for who, token in tokens[size].items()}
        for size, port in ports.items()
    }
    times: dict[int, dict[str, list[float]]] = {
        size: {name: [] for name in LISTS} for size in ports
    }
    for size in ports:  # warm each server's workers and caches first
        for who, path in LISTS.values():
            timed_gets(clients[size][who], path, 10)
    order = sorted(ports)
    for turn in range(rounds):
        count = repeat // rounds + (turn < repeat % rounds)  # ``repeat`` in all
        for size in order if turn % 2 == 0 else order[::-1]:
            for name, (who, path) in LISTS.items():
                times[size][name] += timed_gets(clients[size][who], path, count)
    return {
        size: {
            name: {"p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95), "n": len(t)}
            for name, t in by_name.items()
        }
        for size, by_name in times.items()
    }


def transitions(
    port: int, token: str, drafts: list[int], clients: int, seconds: float, rounds: int = 6
) -> dict:
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
        hammer(port, token, [next(ids[name]) for _ in range(20)], path_of, body, clients, seconds)
    runs: dict[str, list[dict]] = {"api": [], "raw_sql": []}
    for turn in range(rounds):
        order = ("api", "raw_sql") if turn % 4 in (0, 3) else ("raw_sql", "api")
        for name in order:
            path_of, body = paths[name]
            runs[name].append(
                hammer(port, token, ids[name], path_of, body, clients, seconds / rounds)
            )
    result = {name: _combined(parts) for name, parts in runs.items()}
    raw_rate = result["raw_sql"]["per_second"]
    result["ratio"] = result["api"]["per_second"] / raw_rate if raw_rate else None
    result["rounds"] = rounds
    # a round in which either side had no ids left (a tiny population) has no ratio
    pairs = zip(runs["api"], runs["raw_sql"], strict=True)
    result["round_ratios"] = [
        a["per_second"] / r["per_second"] for a, r in pairs if a["done"] and r["done"]
    ]
    # The floors: the same clients on the token check alone, and on the HTTP stack alone
    # (sent without a token: a valid one is looked up whenever the request carries it).
    many = range(1, 10_000_000)
    for name, path_of, bearer in (
        ("token_floor", lambda i: f"/api/bench/raw/noop/{i}", token),
        ("http_floor", lambda i: f"/api/bench/raw/open/{i}", None),
    ):
        part = hammer(port, bearer, many, path_of, None, clients, 2 * seconds / rounds)
        part.pop("times")
        result[name] = part
    result["split_ms"] = split_ms(result)
    return result


def split_ms(result: dict) -> dict:
    """A transition's time by part, from the throughputs (ms per request, all clients):
    the HTTP stack, the token check, the writes (raw SQL), and Alur's own work."""
    per = {name: 1000 / result[name]["per_second"] for name in ("http_floor", "token_floor")}
    per |= {name: 1000 / result[name]["per_second"] for name in ("raw_sql", "api")}
    return {
        "http": per["http_floor"],
        "token_check": per["token_floor"] - per["http_floor"],
        "writes": per["raw_sql"] - per["token_floor"],
        "alur": per["api"] - per["raw_sql"],
    }


PGBENCH = """\\set id random(1, {rows})
BEGIN;
SELECT state, version, audit_seq, audit_head FROM pgb_appraisals WHERE id = :id FOR UPDATE;
UPDATE pgb_appraisals SET state = 'submitted', version = version + 1, state_changed_at = now(),
  audit_seq = audit_seq + 1, audit_head = md5(random()::text) || md5(random()::text)
  WHERE id = :id RETURNING audit_seq AS seq, version AS ver \\gset
INSERT INTO pgb_audit (workflow, record_id, seq, trigger, from_state, to_state, actor_id, via,
  created_at, prev_hash, record_digest, key_id, hash) VALUES ('appraisal', :id, :seq, 'submit',
  'draft', 'submitted', 1, 'api', now(), md5('p') || md5('p'), md5('d') || md5('d'),
  'bench', md5(random()::text) || md5(random()::text));
INSERT INTO pgb_events (event_id, type, payload, created_at) VALUES ('evt_' ||
  md5(random()::text), 'appraisal.submitted', ('{{"id": ' || :id || ', "to": "submitted", '
  || '"via": "api", "from": "draft", "actor": 1, "trigger": "submit", "version": ' || :ver
  || '}}')::jsonb, now());
END;
"""


def pgbench_limit(url: str, seconds: float, clients: tuple[int, ...] = (4, 8)) -> dict:
    """What the database itself does of a transition's writes (lock the row; update state,
    version and audit anchor; insert the audit row and the event), with ``pgbench`` on
    the same server, on copies of the tables: the real audit log must still verify."""
    import tempfile

    import psycopg

    rows = 10_000
    url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS pgb_appraisals, pgb_audit, pgb_events")
        conn.execute(f"CREATE TABLE pgb_appraisals AS SELECT * FROM appraisals LIMIT {rows}")
        conn.execute(
            "UPDATE pgb_appraisals p SET id = n.rn FROM (SELECT id, "
            "row_number() OVER (ORDER BY id) AS rn FROM pgb_appraisals) n WHERE p.id = n.id"
        )
        conn.execute("ALTER TABLE pgb_appraisals ADD PRIMARY KEY (id)")
        (rows,) = conn.execute("SELECT count(*) FROM pgb_appraisals").fetchone()
        for copy, of in (("pgb_audit", "audit_log"), ("pgb_events", "outbox_events")):
            conn.execute(f"CREATE TABLE {copy} (LIKE {of} INCLUDING DEFAULTS INCLUDING INDEXES)")
    result: dict = {}
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
            script.write(PGBENCH.format(rows=rows))
            script.flush()
            for n in clients:
                command = ["pgbench", "-n", "-M", "prepared", "-f", script.name]
                command += ["-c", str(n), "-j", str(min(n, 2)), "-T", str(max(int(seconds), 1))]
                done = subprocess.run(
                    [*command, url.replace("postgresql+psycopg://", "postgresql://")],
                    capture_output=True,
                    text=True,
                    timeout=seconds + 120,
                    check=False,
                )
                found = re.search(r"tps = ([0-9.]+)", done.stdout)
                if done.returncode != 0 or found is None:
                    raise RuntimeError(f"pgbench: {done.stdout[-500:]}{done.stderr[-500:]}")
                result[str(n)] = float(found.group(1))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS pgb_appraisals, pgb_audit, pgb_events")
    result["best"] = max(result.values())
    return result


def _combined(parts: list[dict]) -> dict:
    times = [t for part in parts for t in part.pop("times")]
    done, seconds = sum(p["done"] for p in parts), sum(p["seconds"] for p in parts)
    errors = [p["first_error"] for p in parts if p["first_error"]]
    return {
        "done": done,
        "errors": sum(p["errors"] for p in parts),
        "seconds": seconds,
        "per_second": done / seconds,
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "first_error": errors[0] if errors else None,
    }


def bulk(port: int, token: str, reviewed: list[int]) -> dict:
    client = Client(port, token)
    items = [{"id": i, "trigger": "approve"} for i in reviewed]
    started = time.perf_counter()
    status, body = client.call("POST", "/api/v1/appraisals/transitions", {"items": items})
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"bulk approval: {status} {body[:300]!r}")
    answer = json.loads(body)
    return {
        "items": len(items),
        "succeeded": answer["succeeded"],
        "failed": answer["failed"],
        "seconds": seconds,
    }


def receiver_ceiling(port: int, clients: int, seconds: float) -> tuple[float, int]:
    """Requests/s the receiver takes from ``clients`` connections sending event-sized bodies,
    and how many it took."""
    body = {
        "type": "appraisal.submitted",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {
            "id": 1,
            "from": "draft",
            "to": "submitted",
            "trigger": "submit",
            "actor": 1,
            "via": "api",
            "version": 2,
            "at": "2026-01-01T00:00:00+00:00",
        },
    }
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
            headers = {
                "Content-Type": "application/json",
                "webhook-id": f"msg_{n}",
                "webhook-timestamp": "0",
                "webhook-signature": "v1,x",
            }
            connection.request("POST", "/events", body=data, headers=headers)
            connection.getresponse().read()
            with lock:
                done[0] += 1

    seconds = in_threads(run, clients)
    if not done[0]:
        raise RuntimeError(f"the receiver on port {port} took nothing in {seconds:.1f} s")
    return done[0] / seconds, done[0]


def subscribe(url: str, port: int) -> None:
    """Subscribe the receiver to every event from now on (before the events are written)."""
    from workflow import webhooks
    from workflow.db import db

    with app_for(url).app_context():
        # the benchmark's own receiver, on 127.0.0.1: allowed for it alone
        webhooks.add_subscription(
            db.session, f"http://127.0.0.1:{port}/events", ["*"], name="bench", allow_private=True
        )
        db.session.commit()


def outbox(
    url: str,
    receiver: Server,
    events_limit: int,
    clients: int,
    threads: int,
    workers: int,
    seconds: float,
) -> dict:
    """Deliver the newest events to the receiver; compare with the receiver's ceiling.

    The ceiling is taken with ``clients`` connections. The same events are delivered
    by one worker, then again (afresh: fanned out anew) by ``workers`` workers, each
    sending with ``threads`` threads; the figure is the faster.
    """
    meter = CpuMeter(receiver=lambda: tree_cpu_seconds(receiver.process.pid))
    meter.start()
    ceiling, taken = receiver_ceiling(receiver.port, clients, seconds)
    ceiling_cpu = meter.stop()["receiver"] / taken * 1e6
    from sqlalchemy import delete, func, select, update

    from workflow.db import db, utcnow
    from workflow.models import DeliveryAttempt, Notification, OutboxDelivery, OutboxEvent

    app = app_for(url)
    with app.app_context():
        # What a run adds besides its deliveries: the notifications of the events, and a
        # ``notification.created`` event for each. Removed before the next run, which would
        # otherwise find them written and skip that work.
        newest_event = db.session.scalar(select(func.max(OutboxEvent.id))) or 0
        newest_notification = db.session.scalar(select(func.max(Notification.id))) or 0
        # Only the newest ``events_limit`` events are sent; the older ones count as done.
        oldest_kept = (
            db.session.scalars(
                select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).offset(events_limit).limit(1)
            ).first()
            or 0
        )
        db.session.execute(
            update(OutboxEvent).where(OutboxEvent.id <= oldest_kept).values(dispatched_at=utcnow())
        )
        db.session.commit()
        events = db.session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
        )
    runs = {}
    for count in sorted({1, workers}):
        if runs:  # the same events again, from the fan-out on
            with app.app_context():
                db.session.execute(delete(DeliveryAttempt))
                db.session.execute(delete(OutboxDelivery))
                db.session.execute(
                    delete(Notification).where(Notification.id > newest_notification)
                )
                db.session.execute(delete(OutboxEvent).where(OutboxEvent.id > newest_event))
                db.session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id > oldest_kept)
                    .values(dispatched_at=None)
                )
                db.session.commit()
        runs[count] = _deliver(app, url, receiver, events, count, threads)
    best = max(runs.values(), key=lambda r: r["per_second"])
    return {
        "events": events,
        "delivered": best["delivered"],
        "seconds": best["seconds"],
        "per_second": best["per_second"],
        "workers": best["workers"],
        "receiver_ceiling_per_s": ceiling,
        "receiver_cpu_us_at_ceiling": ceiling_cpu,
        "ratio": best["per_second"] / ceiling,
        "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in runs.values()),
        "worker_threads": threads,
        "batch": threads * 64,
        "ceiling_clients": clients,
        "runs": {str(k): v for k, v in runs.items()},
    }


def _deliver(app, url: str, receiver: Server, events: int, workers: int, threads: int) -> dict:
    """Start ``workers`` outbox workers; time them from the first delivery the receiver
    takes to the last one recorded as delivered.

    Progress is read from the receiver (a GET it answers from memory): a count of the
    deliveries in the database every few milliseconds would take from the workers a good
    part of the CPU they share with it, which the receiver's ceiling is measured without.
    """
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import OutboxDelivery

    def received() -> int:
        return json.loads(progress.call("GET", "/events")[1])["received"]

    def recorded() -> int:
        with app.app_context():
            count = db.session.scalar(
                select(func.count())
                .select_from(OutboxDelivery)
                .where(OutboxDelivery.status == "delivered")
            )
            db.session.rollback()
        return count

    # Batches of 64 sends per thread: a round's few statements are spread thin.
    env = env_for(
        url,
        ALUR_OUTBOX_CONCURRENCY=str(threads),
        ALUR_OUTBOX_BATCH=str(threads * 64),
        ALUR_OUTBOX_LEASE="300",
        ALUR_OUTBOX_POLL="0.1",
    )
    command = [*FLASK, "outbox", "work", "--quiet"]
    # What each side spends of the machine's CPU a delivery: the workers, the receiver
    # and PostgreSQL share its cores, as they would not in production.
    procs: list[subprocess.Popen] = []
    groups = {
        "workers": lambda: sum(cpu_seconds(p.pid) for p in procs),
        "receiver": lambda: tree_cpu_seconds(receiver.process.pid),
    }
    postmaster = _postmaster(app) if url.startswith("postgresql") else None
    if postmaster is not None:  # a database on another machine: its CPU is not ours to read
        groups["postgresql"] = lambda: tree_cpu_seconds(postmaster)
    meter = CpuMeter(**groups)
    progress = Client(receiver.port)
    before = received()
    started = time.perf_counter()
    delivered, peak, first = 0, 0.0, None
    try:
        procs += [
            subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
            for _ in range(workers)
        ]
        while time.perf_counter() - started < 600 and all(p.poll() is None for p in procs):
            taken = received() - before
            peak = max([peak, *(peak_rss_mb(p.pid) for p in procs)])
            if first is None and taken:
                # timed from the first delivery on: the workers' start-up is not delivery
                first = (time.perf_counter(), taken)
                meter.start()
            # the receiver has them all (or more: at least once); now until they are recorded
            if taken >= events and (delivered := recorded()) >= events:
                break
            time.sleep(0.02)
        finished = time.perf_counter()
        spent = meter.stop()
    finally:
        progress.connection.close()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    if delivered < events or first is None:
        raise RuntimeError(f"the outbox ({workers} workers) delivered {delivered} of {events}")
    seconds_taken = finished - first[0]
    return {
        "workers": workers,
        "delivered": delivered,
        "seconds": seconds_taken,
        "per_second": (delivered - first[1]) / seconds_taken if seconds_taken > 0 else 0.0,
        "worker_peak_rss_mb": peak,
        "cpu_us_per_delivery": {
            name: seconds / max(delivered - first[1], 1) * 1e6 for name, seconds in spent.items()
        },
    }


def _postmaster(app) -> int | None:
    """The PostgreSQL cluster's postmaster (the parent of every backend), if on this machine."""
    from workflow.db import db

    with app.app_context():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.rollback()
    return postgres_parent(backend)


def audit_phase(url: str) -> dict:
    """``flask audit verify``, incremental and full: the command's own time, and the wall
    time with the process's start-up; a plain read of the log as the floor (PostgreSQL)."""
    app = app_for(url)
    with app.app_context():
        from workflow.db import db

        cp = db.session.execute(text("SELECT max(audit_upto) FROM audit_checkpoints")).scalar()
        counted = text(
            "SELECT (SELECT count(*) FROM audit_log), "
            "(SELECT count(*) FROM audit_log WHERE id > :upto), "
            "(SELECT count(*) FROM change_log)"
        )
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
            with conn.cursor().copy("COPY (SELECT * FROM audit_log) TO STDOUT") as c:
                for _block in c:
                    pass
            result["read_seconds"] = time.perf_counter() - started
    return result
