"""The benchmark: Alur against its own raw-SQL and COPY baselines, measured in one run.

``python -m bench`` (see README) builds a fresh database per size, imports a
generated population through ``flask import``, seeds records in every state,
serves the app with gunicorn and measures:

1. transitions/s and latency through the API against the raw-SQL baseline
   endpoint of the same server (``bench.baseline``), same clients;
2. inbox and list latency at each size (the ratio to the smallest size);
3. import rows/s against a plain ``COPY`` of the same file (PostgreSQL);
4. outbox deliveries/s against the receiver's own ceiling;
   then notification mails/s against an SMTP sink's own ceiling, the notifications written
   per transition, and a burst of items waiting for the daily digest;
5. one bulk request approving 10,000 records (PostgreSQL, and SQLite);
6. peak RSS of the app's worker processes and of the outbox worker;
7. ``flask audit verify``, full and since the checkpoint;
8. opening a performance period, for the largest agency and for every agency, against a
   plain multi-row INSERT of the same appraisal rows (``bench.periods``).

It writes ``report.json`` and ``report.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Server, env_for, flask, say
from bench.load import accounts, build, ids, sized_url
from bench.mail import mail_phase
from bench.periods import period_phase
from bench.report import markdown, summary
from bench.scenarios import (
    audit_phase,
    bulk,
    lists_by_turns,
    outbox,
    pgbench_limit,
    subscribe,
    transitions,
)

TARGETS = {
    "transitions": 0.9,  # API throughput ≥ 0.9 x the raw-SQL endpoint
    "transitions_pgbench": 0.3,  # and ≥ 0.3 x pgbench running the same writes
    "lists": 1.2,  # p95 at the largest size ≤ 1.2 x p95 at the smallest
    "import": 0.8,  # import ≥ 0.8 x a COPY of the same finished rows into employees
    "outbox": 0.8,  # deliveries ≥ 0.8 x the receiver's ceiling
    "mail": 0.5,  # notification mails ≥ 0.5 x the SMTP sink's ceiling
    "bulk_seconds": 3.0,  # 10,000 approvals in one request
    "worker_rss_mb": 150.0,  # a worker's peak RSS
    "periods": 0.5,  # opening a period ≥ 0.5 x a plain multi-row INSERT of its appraisals
    "audit_full_seconds": 120.0,  # a full audit verify at the largest size
    "audit_incremental_seconds": 5.0,  # after the bulk approval's steps
}


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
        ports = {
            size: stack.enter_context(
                Server("bench.wsgi:app", env_for(url), workers=args.workers)
            ).port
            for size, url in urls.items()
        }
        for size, by_name in lists_by_turns(ports, tokens, args.repeat).items():
            report["sizes"][str(size)]["lists"] = by_name
    url, entry = urls[largest], report["sizes"][str(largest)]
    with Server("bench.receiver:app", env_for(url), workers=1, threads=args.clients) as receiver:
        subscribe(url, receiver.port)  # before the transitions write their events
        entry.update(_serve(args, url, tokens[largest]))
        say(f"[bench] {largest:,}: outbox")
        entry["outbox"] = outbox(
            url,
            receiver,
            args.events,
            args.clients,
            args.outbox_threads,
            args.outbox_workers,
            args.seconds,
        )
    say(f"[bench] {largest:,}: notification mail")
    entry["mail"] = mail_phase(url, args.mails, args.digest_burst)
    say(f"[bench] {largest:,}: audit verify")
    entry["audit"] = audit_phase(url)
    # After the audit phase, whose figures are of the seeded log: openings add to it.
    say(f"[bench] {largest:,}: opening performance periods")
    entry["periods"] = period_phase(url)
    if args.sqlite_bulk:
        say(f"[bench] SQLite: bulk approval of {args.bulk:,}")
        url = f"sqlite:///{Path(args.out).resolve() / 'bench.sqlite'}"
        entry = build(url, args.sqlite_bulk, data)
        tokens = accounts(url)
        with Server("bench.wsgi:app", env_for(url), workers=1) as server:
            entry["bulk"] = bulk(server.port, tokens["admin"], ids(url, "reviewed", args.bulk))
        report["sqlite"] = entry
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def _serve(args, url: str, tokens: dict) -> dict:
    """Transitions, the bulk approval and the workers' memory, at the largest size."""
    entry: dict = {}
    with Server("bench.wsgi:app", env_for(url), workers=args.workers) as server:
        say("[bench] transitions")
        drafts = ids(url, "draft", 200_000)
        entry["transitions"] = transitions(
            server.port, tokens["admin"], drafts, args.clients, args.seconds
        )
        if url.startswith("postgresql"):
            say("[bench] pgbench: the same writes in the database alone")
            limit = pgbench_limit(url, args.seconds / 2)
            entry["transitions"]["pgbench"] = limit
            entry["transitions"]["ratio_pgbench"] = (
                entry["transitions"]["api"]["per_second"] / limit["best"]
            )
        # Checkpointed before the bulk approval: the incremental verify (``audit_phase``)
        # then has the bulk's steps after the checkpoint.
        started = time.perf_counter()
        flask(url, "audit", "checkpoint")
        entry["checkpoint_seconds"] = time.perf_counter() - started
        say(f"[bench] bulk approval of {args.bulk:,}")
        entry["bulk"] = bulk(server.port, tokens["admin"], ids(url, "reviewed", args.bulk))
        entry["worker_peak_rss_mb"] = server.worker_peak_rss_mb()
    return entry


def parse(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/alur_bench"
        ),
    )
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", type=lambda v: [int(x) for x in v.split(",")]
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=15, help="per throughput run")
    parser.add_argument("--repeat", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--bulk", type=int, default=10_000, help="records in the bulk request")
    parser.add_argument("--events", type=int, default=10_000, help="events the outbox delivers")
    parser.add_argument(
        "--outbox-threads", type=int, default=8, help="sending threads of each outbox worker"
    )
    parser.add_argument("--mails", type=int, default=2000, help="notification mails sent")
    parser.add_argument(
        "--digest-burst", type=int, default=100_000, help="items waiting for the daily digest"
    )
    parser.add_argument(
        "--outbox-workers",
        type=int,
        default=2,
        help="outbox workers of the second delivery run (the first has one)",
    )
    parser.add_argument(
        "--sqlite-bulk",
        type=int,
        default=100_000,
        help="employees of the SQLite bulk run (0: skip it)",
    )
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
