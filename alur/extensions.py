"""Flask extensions, created unbound and initialised by the app factory."""

from flask import current_app, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_mailman import Mail
from flask_security import Security

from alur.account_mail import AccountMail
from alur.bearer import load_user_from_bearer


def _rate_limit_key() -> str:
    """Per user, all their tokens together (minting more buys nothing); per address for
    callers without a valid token (a made-up token is no new allowance)."""
    user = load_user_from_bearer(request)
    return f"user:{user.id}" if user is not None else "addr:" + (request.remote_addr or "unknown")


security = Security(mail_util_cls=AccountMail)
babel = Babel()
mail = Mail()
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


__all__ = ["babel", "cache", "limiter", "mail", "security"]
