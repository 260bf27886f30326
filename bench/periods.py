"""Opening performance periods: the largest agency's, then every agency's, against a plain
multi-row INSERT of the same appraisal rows measured in the same run."""

from __future__ import annotations

import time

from sqlalchemy import bindparam, func, select, text

from bench.load import app_for

# Rows per statement of the plain INSERT, as the opening writes them.
CHUNK = 1000


def _plain_insert(db, agency_ids: list[int], code: str, *, with_log: bool) -> tuple[int, float]:
    """The opening's appraisal rows of ``agency_ids`` (its chains, org chart as it is) as
    plain multi-row INSERTs, committed; with ``with_log``, each with an audit row and an
    outbox row too (fixed values: nothing computed), as the opening writes. How many, and
    the seconds. Removed after."""
    rows = db.session.execute(
        text(
            "SELECT e.id, s.id, s.supervisor_id, e.agency_id FROM employees e "
            "JOIN employees s ON s.id = e.supervisor_id "
            "WHERE e.agency_id IN :agencies AND s.supervisor_id IS NOT NULL "
            "AND s.supervisor_id <> e.id ORDER BY e.id"
        ).bindparams(bindparam("agencies", expanding=True)),
        {"agencies": agency_ids},
    ).all()
    db.session.rollback()
    digest = "0" * 64
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            values = ",".join(
                f"({e}, 2026, '{code}', {a}, {b}, 'draft', 1, {agency}, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                for e, a, b, agency in rows[start : start + CHUNK]
            )
            returning = " RETURNING id" if with_log else ""  # the plain one asks for nothing
            made = conn.execute(
                text(
                    "INSERT INTO appraisals (employee_id, year, period, assessor_id, "
                    "approver_id, state, version, agency_id, created_at, state_changed_at, "
                    f"audit_seq) VALUES {values}{returning}"
                )
            )
            if not with_log:
                continue
            ids = list(made.scalars())
            entries = ",".join(
                f"('k1', 'plain_{code}', {i}, 1, 'create', NULL, 'draft', NULL, NULL, 'cli', "
                f"'opening', '{digest}', CURRENT_TIMESTAMP, NULL, '{digest}', '{digest}')"
                for i in ids
            )
            conn.execute(
                text(
                    "INSERT INTO audit_log (key_id, workflow, record_id, seq, trigger, "
                    "from_state, to_state, actor_id, on_behalf_of_id, via, comment, "
                    "payload_digest, created_at, prev_hash, record_digest, hash) "
                    f"VALUES {entries}"
                )
            )
            events = ",".join(
                f"('plain_{code}_{i}', 'plain.draft', CURRENT_TIMESTAMP, "
                f'\'{{"id": {i}, "to": "draft", "trigger": "create"}}\')'
                for i in ids
            )
            conn.execute(
                text(
                    "INSERT INTO outbox_events (event_id, type, created_at, payload) "
                    f"VALUES {events}"
                )
            )
    seconds = time.perf_counter() - started
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM appraisals WHERE year = 2026 AND period = :p"), {"p": code})
        conn.execute(text("DELETE FROM audit_log WHERE workflow = :w"), {"w": f"plain_{code}"})
        conn.execute(text("DELETE FROM outbox_events WHERE type = 'plain.draft'"))
    return len(rows), seconds


def _open(db, periods, agency_ids: list[int], kind: str, number: int) -> tuple[int, float]:
    """Define and open the period for each agency, as an operator does; appraisals made and
    the seconds the openings took."""
    made, seconds = 0, 0.0
    for agency_id in agency_ids:
        row = periods.define(
            db.session, None, agency_id=agency_id, year=2026, kind=kind, number=number, via="cli"
        )
        started = time.perf_counter()
        made += periods.open_period(db.session, None, row.id, via="cli").made
        seconds += time.perf_counter() - started
    return made, seconds


def period_phase(url: str) -> dict:
    """Appraisals made per second by opening a period, for the largest agency and for every
    agency, each against the plain INSERT of the same rows."""
    app = app_for(url)
    with app.app_context():
        from workflow import periods
        from workflow.db import db
        from workflow.models import Employee

        sizes = db.session.execute(
            select(Employee.agency_id, func.count())
            .group_by(Employee.agency_id)
            .order_by(func.count().desc(), Employee.agency_id)
        ).all()
        db.session.rollback()
        largest, staff = sizes[0]
        everyone = [agency_id for agency_id, _n in sizes]
        result: dict = {"agencies": len(everyone), "largest_staff": staff}
        for name, agency_ids, (kind, number), plain_code in (
            ("largest", [largest], ("quarterly", 1), "M11"),
            ("every", everyone, ("quarterly", 2), "M12"),
        ):
            base_rows, base_seconds = _plain_insert(db, agency_ids, plain_code, with_log=False)
            all_rows, all_seconds = _plain_insert(db, agency_ids, plain_code, with_log=True)
            made, seconds = _open(db, periods, agency_ids, kind, number)
            rate, base = made / seconds, base_rows / base_seconds
            result[name] = {
                "made": made,
                "seconds": seconds,
                "per_second": rate,
                "plain_rows": base_rows,
                "plain_per_second": base,
                "ratio": rate / base,
                # the same three rows a record each (appraisal, audit entry, event), plain
                "plain_with_log_per_second": all_rows / all_seconds,
                "ratio_with_log": rate / (all_rows / all_seconds),
            }
    return result


def main(argv: list[str] | None = None) -> int:
    """Opening periods alone, at a size of one's choosing: ``python -m bench.periods
    --employees 30000 --agencies 1`` (one agency of 30,000), or ``--employees 4300000``
    (the nation's, in its 600 agencies)."""
    import argparse
    import json
    from pathlib import Path

    from bench.load import build

    parser = argparse.ArgumentParser(prog="python -m bench.periods", description=main.__doc__)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/alur_bench_periods"
    )
    parser.add_argument("--employees", type=int, default=30_000)
    parser.add_argument("--agencies", type=int, default=None)
    parser.add_argument("--out", default="bench-out")
    args = parser.parse_args(argv)
    data = Path(args.out).resolve() / "data"
    built = build(args.database_url, args.employees, data, agencies=args.agencies)
    result = {"population": built, "periods": period_phase(args.database_url)}
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
