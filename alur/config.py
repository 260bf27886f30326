"""Configuration: defaults in code, overridden by environment variables.

``DATABASE_URL``, ``SECRET_KEY``, ``SECURITY_PASSWORD_SALT`` and ``ALUR_ENV`` are
read by name; any other setting can be given as ``ALUR_<NAME>`` (values are
parsed as JSON where they can be, as Flask's ``from_prefixed_env`` does).
"""

from __future__ import annotations

import os

from workflow import audit_keys
from workflow.audit_keys import DEVELOPMENT_AUDIT_KEY
from workflow.db import REPLICA
from workflow.sealing import DEVELOPMENT_KEY, parse_key

DEVELOPMENT = "development"
DEV_SECRET = "alur-development-only-secret"

DEFAULTS = {
    "ALUR_ENV": DEVELOPMENT,
    # A relative SQLite path is resolved inside the instance folder.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///alur.db",
    # A streaming replica of it (ALUR_DATABASE_REPLICA_URL; empty: none), which the lists,
    # the inbox and the reports read from (workflow.db.replica_reads).
    "DATABASE_REPLICA_URL": "",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Bounds of every wait on the database, in milliseconds (ALUR_DB_LOCK_TIMEOUT_MS, …;
    # 0 lifts one). A request that waits for a lock past the first gets 503 and Retry-After.
    "DB_LOCK_TIMEOUT_MS": 10_000,
    "DB_STATEMENT_TIMEOUT_MS": 300_000,
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": 120_000,
    "DB_SQLITE_BUSY_TIMEOUT_MS": 30_000,
    # Seconds to connect to PostgreSQL (the primary, a replica) before giving up: a 503.
    "DB_CONNECT_TIMEOUT_S": 5,
    "SECRET_KEY": DEV_SECRET,
    "SECURITY_PASSWORD_SALT": DEV_SECRET,
    "SECURITY_PASSWORD_HASH": "argon2",
    "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
    "SECURITY_SEND_REGISTER_EMAIL": False,
    # Our own "users" command links accounts to employees and agencies.
    "SECURITY_CLI_USERS_NAME": False,
    "SECURITY_CLI_ROLES_NAME": False,
    "BABEL_DEFAULT_LOCALE": "id",
    # The back office: Flask-Security's login, logout and password change pages, in our
    # templates (styled like the back office; texts in admin/i18n_id.py's FLASK_SECURITY).
    "SECURITY_CHANGEABLE": True,
    "SECURITY_LOGIN_USER_TEMPLATE": "security/alur_login_user.html",
    "SECURITY_CHANGE_PASSWORD_TEMPLATE": "security/alur_change_password.html",
    "SECURITY_VERIFY_TEMPLATE": "security/alur_verify.html",
    "SECURITY_LOGOUT_USER_TEMPLATE": "security/alur_logout_user.html",
    "SECURITY_FORGOT_PASSWORD_TEMPLATE": "security/alur_forgot_password.html",
    "SECURITY_RESET_PASSWORD_TEMPLATE": "security/alur_reset_password.html",
    "SECURITY_LOGOUT_CSRF": True,  # a forged POST must not log anyone out
    "SECURITY_POST_LOGIN_VIEW": "/admin/",
    "SECURITY_POST_LOGOUT_VIEW": "/login",
    "SECURITY_POST_CHANGE_VIEW": "/admin/",
    # One answer for an unknown e-mail and a wrong password (no account enumeration).
    "SECURITY_RETURN_GENERIC_RESPONSES": True,
    # None renders a bare directive: Flask-Security's True would send "private=True".
    "SECURITY_CACHE_CONTROL": {"private": None, "no-store": None},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "ADMIN_OVERDUE_DAYS": 14,
    # Seconds the dashboard's national counts are kept before they are counted again.
    "ADMIN_NATIONAL_COUNTS_SECONDS": 60,
    # Per process by default; set CACHE_TYPE=RedisCache and CACHE_REDIS_URL to share them
    # (a Redis that does not answer is given up on after a second: alur.__init__).
    "CACHE_TYPE": "SimpleCache",
    # The rulebook's settings (workflow.settings).
    "MENTORING_MAX_ACTIVE_MENTEES": 5,
    "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
    "JSON_SORT_KEYS": False,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # bytes; larger bodies get 413
    # Per API token. memory:// counts per process: use Redis (redis://…) in production.
    "API_RATE_LIMIT": "600/minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    # While Redis cannot be reached the API goes on: each process counts alone, in memory
    # (so the allowance is, at most, multiplied by the processes), and goes back to Redis
    # by itself once it answers (checked after 1, 2, 4, … 32 s). Never a 500 for it.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # A Redis that does not answer is given up on after a second (memory:// ignores these).
    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    # The Fernet key of the webhook secrets kept encrypted (ALUR_SECRETS_KEY); this
    # development key is refused outside development and tests.
    "SECRETS_KEY": DEVELOPMENT_KEY,
    # The key every audit entry is an HMAC under (ALUR_AUDIT_KEY), and the keys before
    # it, kept to verify older entries (ALUR_AUDIT_OLD_KEYS); the development key is
    # refused outside development and tests.
    "AUDIT_KEY": DEVELOPMENT_AUDIT_KEY,
    "AUDIT_OLD_KEYS": [],
    # How often the outbox worker writes and publishes an audit checkpoint, in minutes
    # (ALUR_AUDIT_CHECKPOINT_MINUTES; 0: never, only `flask audit checkpoint`). A record
    # removed with its whole chain before the next checkpoint leaves no trace: this is
    # the window.
    "AUDIT_CHECKPOINT_MINUTES": 60,
    # A directory every checkpoint is also written to, as published (JSON), where the
    # database's writers cannot reach (ALUR_AUDIT_CHECKPOINT_DIR; empty: none). Verify
    # then holds the database to the newest checkpoint there.
    "AUDIT_CHECKPOINT_DIR": "",
    # Subscriptions to loopback, private or link-local hosts are refused unless this is
    # true (ALUR_WEBHOOK_ALLOW_PRIVATE): the demo's receiver is on 127.0.0.1.
    "WEBHOOK_ALLOW_PRIVATE": False,
    # Failed logins allowed per account (its e-mail) and per client address in a window;
    # past either, the login page answers 429 until the window ends (ALUR_LOGIN_*_LIMIT).
    "LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
    "LOGIN_ADDRESS_LIMIT": "50 per 15 minutes",
    # Proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none):
    # the address failed logins are counted by is the client's, not the proxy's.
    "TRUSTED_PROXIES": 0,
    # Days an API token lasts unless its maker says otherwise.
    "API_TOKEN_DAYS": 90,
    # Mail (Flask-Mailman's MAIL_*, set as ALUR_MAIL_SERVER, ALUR_MAIL_PORT, …). Without a
    # server nothing is mailed: notifications wait, and the back office says so to admins.
    "MAIL_BACKEND": "smtp",  # also under TESTING (Flask-Mailman's default there is memory)
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Alur <noreply@alur.localhost>",
    "MAIL_TIMEOUT": 10,
    # SMTP connections the worker sends over side by side (ALUR_MAIL_CONNECTIONS).
    "MAIL_CONNECTIONS": 4,
    # The hour (in each user's zone) their daily digest goes out (ALUR_NOTIFICATION_DIGEST_HOUR).
    "NOTIFICATION_DIGEST_HOUR": 7,
    # Where the back office is reached from a mail's link (ALUR_BASE_URL).
    "BASE_URL": "http://127.0.0.1:5000",
    # The level of the JSON log lines on standard error (ALUR_LOG_LEVEL).
    "LOG_LEVEL": "INFO",
    # The bearer token Prometheus scrapes /metrics with (ALUR_METRICS_TOKEN; unset: off).
    "METRICS_TOKEN": "",
}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for bare ``postgres://``/``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(app, overrides: dict | None) -> None:
    """Fill ``app.config``: defaults, then the environment, then ``overrides``."""
    app.config.update(DEFAULTS)
    for name in ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "ALUR_ENV"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("ALUR")
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    if replica := app.config.get("DATABASE_REPLICA_URL"):
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[REPLICA] = normalise_database_url(replica)
        app.config["SQLALCHEMY_BINDS"] = binds
    _refuse_development_secrets(app)
    _refuse_per_process_rate_limits(app)
    if app.config["ALUR_ENV"] != DEVELOPMENT:
        # Outside development the session cookies travel over HTTPS only.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _engine_options(config) -> dict:
    """The engines' options: SQL parameters kept out of error messages (and so out of the
    logs: they hold names, NIPs, comments), and on PostgreSQL a bound on connecting (a host
    that drops packets would otherwise hold a request for over two minutes)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("hide_parameters", True)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config["DB_CONNECT_TIMEOUT_S"]))
        options["connect_args"] = connect_args
    return options


def db_timeouts(config):
    """The database's wait bounds (``workflow.db.Timeouts``) from the configuration."""
    from workflow.db import Timeouts

    return Timeouts(
        lock=int(config["DB_LOCK_TIMEOUT_MS"]),
        statement=int(config["DB_STATEMENT_TIMEOUT_MS"]),
        idle_in_transaction=int(config["DB_IDLE_IN_TRANSACTION_TIMEOUT_MS"]),
        sqlite_busy=int(config["DB_SQLITE_BUSY_TIMEOUT_MS"]),
    )


def _refuse_development_secrets(app) -> None:
    try:
        parse_key(app.config.get("SECRETS_KEY"))
        audit_keys.ring(app.config.get("AUDIT_KEY"), app.config.get("AUDIT_OLD_KEYS"))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    if app.config["ALUR_ENV"] == DEVELOPMENT or app.config.get("TESTING"):
        return
    missing = [
        name
        for name in ("SECRET_KEY", "SECURITY_PASSWORD_SALT")
        if app.config.get(name) in (None, "", DEV_SECRET)
    ]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} must be set in the environment when "
            f"ALUR_ENV={app.config['ALUR_ENV']!r}"
        )
    if app.config.get("SECRETS_KEY") == DEVELOPMENT_KEY:
        raise RuntimeError(
            "ALUR_SECRETS_KEY must be set in the environment (a Fernet key; make one with: "
            'python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())") when '
            f"ALUR_ENV={app.config['ALUR_ENV']!r}"
        )
    if app.config.get("AUDIT_KEY") == DEVELOPMENT_AUDIT_KEY:
        raise RuntimeError(
            "ALUR_AUDIT_KEY must be set in the environment (a secret of 32 characters or more; "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))") '
            f"when ALUR_ENV={app.config['ALUR_ENV']!r}"
        )


def _refuse_per_process_rate_limits(app) -> None:
    """memory:// counts per process: with several workers every limit is multiplied."""
    if app.config["ALUR_ENV"] == DEVELOPMENT or app.config.get("TESTING"):
        return
    if app.config.get("RATELIMIT_ENABLED") is False:
        return  # no limits at all (the benchmark's own servers): nothing to share
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        raise RuntimeError(
            "ALUR_RATELIMIT_STORAGE_URI must be a shared store (e.g. redis://127.0.0.1:6379) "
            f"when ALUR_ENV={app.config['ALUR_ENV']!r}: memory:// counts per process"
        )
