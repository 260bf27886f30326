"""Flask extensions, created unbound and initialised by the app factory."""

import hashlib
import unicodedata

from flask import current_app, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import current_user
from flask_migrate import Migrate
from flask_security import Security

from workflow.db import db


def _rate_limit_key() -> str:
    """Per API token (its hash, never the token); per address for callers without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


migrate = Migrate()
security = Security()
babel = Babel()
# Figures too costly to compute on every request (the national dashboard counts).
cache = Cache()
# One allowance per API token over the whole API (not per route), counted where every
# process sees it (RATELIMIT_STORAGE_URI: Redis in production).
limiter = Limiter(
    key_func=_rate_limit_key,
    application_limits=[lambda: current_app.config["API_RATE_LIMIT"]],
    application_limits_exempt_when=lambda: not request.path.startswith("/api/"),
    headers_enabled=True,
)


# -- failed logins (Flask-Security-Too has no throttle of its own) ----------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _login_account_key() -> str:
    """The account a login attempt names (its e-mail, folded), never the e-mail itself.

    Folded as loosely as any spelling that could reach the same account (case, spaces,
    compatibility forms), so respelling an address does not buy more attempts.
    """
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email", "") if isinstance(data, dict) or hasattr(data, "getlist") else ""
    return "account:" + _digest(unicodedata.normalize("NFKC", str(email)).strip().casefold())


def _client_address() -> str:
    """The caller's address (behind a proxy, the one ``ALUR_TRUSTED_PROXIES`` vouch for)."""
    return "addr:" + (request.remote_addr or "unknown")


def _not_a_login() -> bool:
    return request.endpoint != "security.login"


def _login_failed(_response) -> bool:
    # Counted after the attempt: only failures use up the allowance.
    return not current_user.is_authenticated


def _setting(name: str):
    return lambda: current_app.config[name]


LOGIN_LIMITS = [
    limiter.limit(
        _setting(setting),
        key_func=key,
        scope=scope,
        methods=["POST"],
        exempt_when=_not_a_login,
        deduct_when=_login_failed,
    )
    for setting, key, scope in (
        ("LOGIN_ACCOUNT_LIMIT", _login_account_key, "login-account"),
        ("LOGIN_ADDRESS_LIMIT", _client_address, "login-address"),
    )
]


def throttle_logins(app) -> None:
    """Failed logins limited per account and per client address (``LOGIN_*_LIMIT``)."""
    for limit in LOGIN_LIMITS:
        limit(app.blueprints["security"])


__all__ = ["babel", "cache", "db", "limiter", "migrate", "security"]
