"""The Alur application: the factory that wires the core to its adapters."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_security import SQLAlchemyUserDatastore

from alur.config import db_timeouts, load_config
from alur.extensions import babel, cache, db, limiter, migrate, security
from workflow.db import configure_engine
from workflow.models import Role, User
from workflow.settings import configure as configure_rules

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides defaults and the environment (tests pass one)."""
    app = Flask("alur", instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config)
    app.json.sort_keys = False
    configure_rules(app.config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, db_timeouts(app.config))
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    from admin import TRANSLATIONS, select_locale

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    security.init_app(app, SQLAlchemyUserDatastore(db, User, Role))
    limiter.init_app(app)
    cache.init_app(app)


def register_blueprints(app: Flask) -> None:
    from admin import init_admin
    from alur.api import init_api
    from alur.web import bp as web

    app.register_blueprint(web)
    init_api(app, security)
    init_admin(app)


def register_cli(app: Flask) -> None:
    from alur.cli import register

    register(app)
