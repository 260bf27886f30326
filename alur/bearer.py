"""Who calls with a bearer token: the API's callers, for the login manager and the rate limits.

Apart from the API's own modules, so that the app's extensions (the rate limiter's
key) need not import the API, and the back office, which uses those extensions, neither.
"""

from __future__ import annotations

from flask import g

from workflow import tokens
from workflow.db import db


def load_user_from_bearer(req):
    """Flask-Login request loader: ``Authorization: Bearer <token>``, on the API only.

    Elsewhere a token opens nothing: the back office and the password pages take a
    login session, so a leaked token is no way to the password or the back office.
    """
    if not req.path.startswith("/api/"):
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # Flask-Login may ask more than once per request: look the token up once.
    known = g.get("alur_bearer")
    if known is not None and known[0] == token:
        return known[1]
    user = tokens.user_for(db.session, token.strip())
    g.alur_bearer = (token, user)
    return user
