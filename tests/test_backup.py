"""The README's backup and restore, run as written (``pg_dump``, ``createdb``, ``pg_restore``,
then ``flask audit verify --against`` the newest checkpoint), on a PostgreSQL cluster of the
test's own, on either leg of the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from alur import create_app
from tests import factories
from tests.clusters import Cluster, run
from tests.workflow_paths import bring_to

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 120  # each command's bound


def flask(url: str, *args: str) -> subprocess.CompletedProcess:
    """``flask --app wsgi ARGS`` against ``url``, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "ALUR_AUDIT_CHECKPOINT_MINUTES": "0"},
        capture_output=True,
        text=True,
        timeout=SECONDS,
        check=False,
    )


def steps(app, url: str, count: int) -> None:
    """``count`` nominations of a cast of their own, each taken through to approved."""
    from workflow.db import db

    own = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    with own.app_context():
        cast = factories.cast(db.session)
        for _ in range(count):
            program = factories.program(db.session)
            db.session.commit()
            record = factories.new_record(
                db.session, cast, "training_nomination", program_id=program.id
            )
            bring_to(record, "approved")
        db.session.remove()
        db.engine.dispose()


def restore(cluster: Cluster, dump: Path, name: str) -> str:
    """The README's restore: an empty database, and the dump into it."""
    host = ("-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres")
    run("createdb", *host, name)
    run("pg_restore", *host, "--no-owner", f"--dbname={name}", str(dump))
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


def test_a_restored_backup_holds_every_step_up_to_the_newest_checkpoint(app, cluster, tmp_path):
    migrated = flask(cluster.url, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    steps(app, cluster.url, 2)
    old = tmp_path / "alur-old.dump"
    run("pg_dump", "--format=custom", f"--file={old}", cluster.url)
    steps(app, cluster.url, 2)  # taken after the old backup
    checkpoint = tmp_path / "checkpoint.json"
    made = flask(cluster.url, "audit", "checkpoint", "--out", str(checkpoint))
    assert made.returncode == 0, made.stderr
    new = tmp_path / "alur-new.dump"
    run("pg_dump", "--format=custom", f"--file={new}", cluster.url)

    restored = restore(cluster, new, "alur_restored")
    verified = flask(restored, "audit", "verify", "--against", str(checkpoint))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: 16 audit entries of 4 records" in verified.stdout, verified.stdout
    assert "(head)" in flask(restored, "db", "current").stdout  # the app may serve it as it is
    count = "SELECT count(*), max(id) FROM audit_log"
    with psycopg.connect(restored, connect_timeout=10) as conn:
        assert conn.execute(count).fetchall() == cluster.query(count)

    # A backup older than the checkpoint is caught: the steps after it are missing.
    stale = restore(cluster, old, "alur_stale")
    refused = flask(stale, "audit", "verify", "--against", str(checkpoint))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "BROKEN: published checkpoint 1: the database holds no checkpoint 1" in refused.stderr
