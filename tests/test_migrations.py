"""Migrations: one head, the models never drift from them, and they run both ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from alur.migrations import code_heads, database_heads, heads_of
from workflow.db import db, schema_filter

ROOT = Path(__file__).resolve().parent.parent


def _config():
    return current_app.extensions["migrate"].migrate.get_config()


def test_there_is_exactly_one_head(app_ctx):
    assert len(ScriptDirectory.from_config(_config()).get_heads()) == 1


def test_the_head_ready_compares_is_alembics_head(app_ctx):
    heads = frozenset(ScriptDirectory.from_config(_config()).get_heads())
    assert code_heads() == heads
    with db.engine.connect() as conn:
        assert database_heads(conn) == heads


def test_heads_are_the_revisions_no_other_follows_merges_included(tmp_path):
    def revision(name, down):
        (tmp_path / f"{name}_x.py").write_text(
            f'"""{name}"""\nimport sqlalchemy as sa\n\nrevision = {name!r}\n'
            f"down_revision = {down!r}\nbranch_labels = None\n\n\ndef upgrade():\n    pass\n"
        )

    revision("a", None)
    revision("b", "a")
    revision("c", "a")
    (tmp_path / "__init__.py").write_text("")
    assert heads_of(tmp_path) == {"b", "c"}  # two heads: `flask db upgrade` would refuse
    revision("d", ("b", "c"))
    assert heads_of(tmp_path) == {"d"}
    # as newer alembic templates write a revision: annotated
    (tmp_path / "e_x.py").write_text(
        'revision: str = "e"\ndown_revision: str | tuple[str, ...] | None = "d"\n'
    )
    assert heads_of(tmp_path) == {"e"}


def test_a_serving_process_answers_ready_without_loading_alembic(app_ctx, database_url):
    # A worker's memory (bench: peak RSS <= 150 MB): alembic and Flask-Migrate are about
    # 7 MB of it, and only `flask db` needs them.
    probe = (
        "import json, sys\n"
        "from wsgi import app\n"
        "answer = app.test_client().get('/ready')\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'flask_migrate'})\n"
        "print(json.dumps([answer.status_code, answer.get_json(), loaded]))\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    status, answer, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert (status, answer["checks"]["migrations"], loaded) == (200, "ok", []), answer


def test_flask_db_loads_flask_migrate_when_it_runs(app_ctx, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}

    def flask(*args):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    (head,) = code_heads()
    current = flask("db", "current")
    assert current.returncode == 0, current.stderr
    assert f"{head} (head)" in current.stdout
    listed = flask("db", "--help")
    assert listed.returncode == 0, listed.stderr
    assert "upgrade" in listed.stdout and "downgrade" in listed.stdout
    assert "db" in flask("--help").stdout


def test_flask_db_runs_in_an_app_context_without_a_script_info(app):
    from click.testing import CliRunner

    from alur import create_app

    own = create_app(dict(app.config))
    assert "migrate" not in own.extensions  # a served app never sets Flask-Migrate up
    with own.app_context():
        result = CliRunner().invoke(own.cli, ["db", "heads"])
    assert result.exit_code == 0, result.output
    assert "migrate" in own.extensions


def test_ready_says_a_database_never_migrated_is_at_none(app_ctx):
    from alur.checks import migrations

    with db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE alembic_version RENAME TO alembic_version_kept")
    try:
        check = migrations()
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE alembic_version_kept RENAME TO alembic_version")
    assert check.status == "fail"
    assert check.detail.startswith("the database is at none, the code at ")


def test_models_match_the_migrated_schema(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": schema_filter(conn.dialect.name)}
        )
        assert compare_metadata(context, db.metadata) == []


def test_migrations_run_down_to_nothing_and_up_again(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "AUDIT_ALLOW_DOWNGRADE", True)  # below 0013: unkeyed
    tables = set(db.metadata.tables)
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert tables <= set(inspect(db.engine).get_table_names())


def test_roles_exist_after_upgrade(session):
    from sqlalchemy import select

    from workflow.models import Role, RoleName

    assert set(session.scalars(select(Role.name))) == {r.value for r in RoleName}
