"""The Alur application: the factory that wires the core to its adapters."""

from __future__ import annotations

import os

from flask import Flask
from flask_login import user_logged_out
from flask_security import SQLAlchemyUserDatastore
from flask_security.signals import password_changed
from werkzeug.middleware.proxy_fix import ProxyFix

from alur.config import db_timeouts, load_config
from alur.extensions import babel, cache, limiter, mail, security
from alur.observability import register_observability
from workflow import evidence_store, tokens
from workflow.db import configure_engine, db
from workflow.models import Role, User
from workflow.settings import configure as configure_rules


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides defaults and the environment (tests pass one)."""
    app = Flask("alur", instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config)
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.json.sort_keys = False
    configure_rules(app.config)
    evidence_store.configure(app.config, app.instance_path)
    register_extensions(app)
    register_blueprints(app)
    register_observability(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():  # the primary, and a replica if there is one
            configure_engine(engine, db_timeouts(app.config))
    from admin import TRANSLATIONS, select_locale, select_timezone

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    # Flask-Security ships no Indonesian: ours (its domain, flask_security) is read after its own.
    app.config.setdefault("SECURITY_I18N_DIRNAME", ["builtin", str(TRANSLATIONS)])
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    from alur.login import FORMS
    from alur.web import render_page

    # Password reset (lupa kata sandi) and the notice of a changed password need mail: on
    # only where a mail server is set (ALUR_MAIL_SERVER).
    mail_on = bool(app.config.get("MAIL_SERVER"))
    app.config.setdefault("SECURITY_RECOVERABLE", mail_on)
    app.config.setdefault("SECURITY_SEND_PASSWORD_CHANGE_EMAIL", mail_on)
    app.config.setdefault("SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL", mail_on)
    app.config.setdefault("SECURITY_EMAIL_SENDER", app.config["MAIL_DEFAULT_SENDER"])
    datastore = SQLAlchemyUserDatastore(db, User, Role)
    security.init_app(app, datastore, render_template=render_page, **FORMS)
    limiter.init_app(app)
    mail.init_app(app)
    user_logged_out.connect(_end_sessions, app)
    password_changed.connect(_log_password_change, app)
    if "redis" in str(app.config["CACHE_TYPE"]).lower():
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": 1, "socket_connect_timeout": 1})
    cache.init_app(app)


def _end_sessions(app: Flask, user=None, **_extra) -> None:
    """Logging out ends every session of the user on the server, not only this cookie."""
    if user is not None and getattr(user, "fs_uniquifier", None):
        tokens.end_sessions(db.session, user, via="admin")


def _log_password_change(app: Flask, user=None, **_extra) -> None:
    if user is not None:
        tokens.password_changed(db.session, user, via="admin")


def register_blueprints(app: Flask) -> None:
    from admin import init_admin
    from alur.api import init_api
    from alur.web import bp as web
    from alur.web import register_errors

    app.register_blueprint(web)
    init_api(app, security)
    init_admin(app)
    register_errors(app)  # after the API's handlers, which it keeps for the API


def register_cli(app: Flask) -> None:
    from alur.cli import register

    register(app)
