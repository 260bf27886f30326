"""Flask extensions, created unbound and initialised by the app factory."""

import hashlib

from flask import current_app, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
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
limiter = Limiter(
    key_func=_rate_limit_key,
    default_limits=[lambda: current_app.config["API_RATE_LIMIT"]],
    default_limits_exempt_when=lambda: not request.path.startswith("/api/"),
    headers_enabled=True,
)

__all__ = ["babel", "cache", "db", "limiter", "migrate", "security"]
