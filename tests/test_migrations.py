"""Migrations: one head, the models never drift from them, and they run both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from workflow.db import db, schema_filter


def _config():
    return current_app.extensions["migrate"].migrate.get_config()


def test_there_is_exactly_one_head(app_ctx):
    assert len(ScriptDirectory.from_config(_config()).get_heads()) == 1


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
