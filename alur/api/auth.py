"""Bearer tokens on top of Flask-Security: who is calling the API."""

from __future__ import annotations

from flask import g, request
from flask_security import current_user

from alur.api.problems import problem
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


def unauthenticated(mechanisms=None, headers=None):
    """401 as problem+json for the API; the login page's usual answer elsewhere."""
    if request.path.startswith("/api/"):
        return problem(
            401,
            "Send a valid API token: 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="alur"'},
        )
    from flask_security.decorators import default_unauthn_handler

    return default_unauthn_handler(mechanisms, headers)


def actor():
    """The authenticated user object of this request."""
    return current_user._get_current_object()


def register(security) -> None:
    security.login_manager.request_loader(load_user_from_bearer)
    security.unauthn_handler(unauthenticated)
