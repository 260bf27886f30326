"""Bearer tokens on top of Flask-Security: who is calling the API."""

from __future__ import annotations

from flask import request
from flask_security import current_user

from alur.api.problems import problem
from alur.bearer import load_user_from_bearer


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
