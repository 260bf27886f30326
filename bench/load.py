"""The benchmark's databases: a fresh one per size, loaded through ``flask import`` and seeded,
with the plain ``COPY`` the import is measured against."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import text

from bench.generate import seed_accounts, seed_history, seed_records, write_population
from bench.harness import AUDIT_KEY, SECRETS_KEY, flask


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
    with psycopg.connect(
        admin.replace("postgresql+psycopg", "postgresql"), autocommit=True
    ) as conn:
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
        conn.execute(
            "CREATE UNLOGGED TABLE bench_plain_copy (nip text, name text, status text, "
            "rank text, position text, agency_code text, unit_code text, "
            "supervisor_nip text)"
        )
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
    """An admin, an HR officer of the last agency and a section head, with API tokens; and
    an account for every other official (no token)."""
    app = app_for(url)
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import Agency, Appraisal, Employee

    with app.app_context():
        # The section head with the most appraisals waiting for them: the busiest inbox.
        chief = db.session.execute(
            select(Employee.nip, func.count())
            .join(Appraisal, Appraisal.assessor_id == Employee.id)
            .where(Appraisal.state == "submitted")
            .group_by(Employee.nip)
            .order_by(func.count().desc(), Employee.nip)
            .limit(1)
        ).first()
        # The last employee imported works in the last agency: its staff come after
        # everyone else's in id order, the far end of every list by id.
        officer = db.session.execute(
            select(Employee.nip, Agency.code)
            .join(Agency, Agency.id == Employee.agency_id)
            .order_by(Employee.id.desc())
            .limit(1)
        ).first()
    tokens = {}
    for key, args in {
        "admin": ["--role", "admin", "--name", "Bench admin"],
        "hr": ["--role", "hr_officer", "--agency", officer.code, "--employee", officer.nip],
        "supervisor": ["--role", "supervisor", "--employee", chief.nip],
    }.items():
        email = f"{key}@bench.alur.id"
        flask(url, "users", "create", email, *args, "--no-password")
        tokens[key] = flask(url, "tokens", "create", email, "--days", "2").strip().splitlines()[-1]
    with app.app_context():
        seed_accounts(db.session)  # the other officials, so that each step tells someone
    return tokens


def ids(url: str, state: str, limit: int, offset: int = 0) -> list[int]:
    app = app_for(url)
    from sqlalchemy import select

    from workflow.db import db
    from workflow.models import Appraisal

    with app.app_context():
        return list(
            db.session.scalars(
                select(Appraisal.id)
                .where(Appraisal.state == state)
                .order_by(Appraisal.id)
                .offset(offset)
                .limit(limit)
            )
        )


def build(url: str, size: int, data: Path, agencies: int | None = None) -> dict:
    """A fresh database with ``size`` employees (in ``agencies`` agencies, or as many as the
    nation has for them) imported and records seeded."""
    fresh_database(url)
    flask(url, "db", "upgrade")
    population = write_population(data / str(size), size, agencies=agencies)
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
        "employees": rows,
        "agencies": population.agencies,
        "units": population.units,
        "records": records,
        "seed_seconds": seeding,
        "audit_entries": entries,
        "history_seconds": history,
        "import_seconds": timings["employees"],
        "import_rows_per_s": rows / timings["employees"],
        "copy_seconds": copy,
        "copy_rows_per_s": rows / copy if copy else None,
        "table_copy_seconds": table_copy,
        "table_copy_rows_per_s": rows / table_copy if table_copy else None,
    }
    result["import_ratio"] = (
        result["import_rows_per_s"] / result["copy_rows_per_s"] if copy else None
    )
    result["import_table_ratio"] = (
        result["import_rows_per_s"] / result["table_copy_rows_per_s"] if table_copy else None
    )
    # No import into employees can beat a COPY of its finished rows into it: the most the
    # import's ratio to the plain COPY could ever be, whatever the import does.
    result["import_bound"] = (
        result["table_copy_rows_per_s"] / result["copy_rows_per_s"] if copy and table_copy else None
    )
    return result
