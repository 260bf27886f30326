"""The schema's migrations: ``flask db`` (Flask-Migrate) and the code's head for ``/ready``.

A serving process never loads alembic (about 7 MB of a worker's memory): Flask-Migrate is
set up when a ``flask db`` command runs (or a caller asks, as the tests do), and the
code's head is read from the revision files themselves.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo
from sqlalchemy import Connection, inspect, text

from workflow.db import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "alembic_version"


def init_migrations(app: Flask) -> None:
    """Flask-Migrate on ``app``: what ``flask_migrate.upgrade()`` and ``flask db`` need."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


class _Migrations(click.Group):
    """``flask db``: Flask-Migrate's group, loaded when it is invoked."""

    def make_context(self, info_name, args, parent=None, **extra):
        if current_app:
            app = current_app._get_current_object()
        else:
            app = (parent or click.get_current_context()).ensure_object(ScriptInfo).load_app()
        init_migrations(app)
        from flask_migrate.cli import db as commands

        # The parent invokes the command of the context it gets: Flask-Migrate's own.
        return commands.make_context(info_name, args, parent=parent, **extra)


migrations_group = _Migrations("db", help="Perform database migrations (Flask-Migrate).")


@cache
def code_heads() -> frozenset[str]:
    """The head revisions of the code's migrations (``migrations/versions``)."""
    return heads_of(MIGRATIONS_DIR / "versions")


def heads_of(versions: Path) -> frozenset[str]:
    """The revisions in ``versions`` that no other revision follows, read as alembic reads
    them: each file's ``revision`` and ``down_revision`` (a tuple where branches merge)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in versions.glob("*.py"):
        if path.name.startswith((".#", "__init__")):  # as alembic: an editor's lock, the package
            continue
        names = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            # ``revision = "…"``, or annotated as newer alembic templates write it
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                names[target.id] = ast.literal_eval(value)
        if "revision" not in names:
            continue
        revisions.add(names["revision"])
        down = names.get("down_revision")
        followed.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return frozenset(revisions - followed)


def database_heads(conn: Connection) -> frozenset[str]:
    """The revisions the database is at (none before its first ``flask db upgrade``)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(conn.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))
