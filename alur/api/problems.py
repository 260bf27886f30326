"""RFC 9457 problem details for every error under /api/."""

from __future__ import annotations

import math
from http import HTTPStatus

from flask import flash, g, jsonify, redirect, render_template, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from workflow.db import db, is_busy, is_unavailable, rollback
from workflow.errors import (
    Busy,
    Forbidden,
    InvalidPayload,
    Malformed,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    Unauthenticated,
    Unavailable,
    WorkflowError,
)

PROBLEM_BASE = "https://alur.id/problems/"
MEDIA_TYPE = "application/problem+json"


def problem_body(status: int, detail: str | None = None, *, code: str | None = None, **extra):
    body = {
        "type": PROBLEM_BASE + code if code else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem(status: int, detail: str | None = None, *, headers=None, code=None, **extra):
    """A problem+json response."""
    response = jsonify(problem_body(status, detail, code=code, **extra))
    response.status_code = status
    response.content_type = MEDIA_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def workflow_error_body(exc: WorkflowError) -> dict:
    """The problem body of an engine refusal."""
    if isinstance(exc, Malformed):
        return problem_body(400, exc.message, code=exc.code)
    if isinstance(exc, Unauthenticated):
        return problem_body(401, exc.message, code=exc.code)
    if isinstance(exc, NotFound):
        return problem_body(404, exc.message, code=exc.code)
    if isinstance(exc, Forbidden):
        return problem_body(403, exc.message, code=exc.code)
    if isinstance(exc, InvalidPayload):
        # A 422 always names a field: "_schema" when the request as a whole is at fault.
        errors = exc.errors or {"_schema": [exc.message]}
        return problem_body(422, exc.message, code=exc.code, errors=errors)
    if isinstance(exc, TransitionNotAllowed):
        return problem_body(409, exc.message, code=exc.code, state=exc.state, allowed=exc.allowed)
    if isinstance(exc, Busy):
        return problem_body(503, exc.message, code=exc.code)
    if isinstance(exc, StaleVersion) and exc.expected is not None:
        return problem_body(412, exc.message, code=exc.code)  # the If-Match was stale
    return problem_body(409, exc.message, code=exc.code)


def _flatten(messages) -> dict:
    """webargs' {location: {field: [...]}} as {field: [...]} (location-prefixed off the body)."""
    flat = {}
    for location, fields in (messages or {}).items():
        if not isinstance(fields, dict):
            flat[location] = fields
            continue
        for field, errors in fields.items():
            flat[field if location == "json" else f"{location}.{field}"] = errors
    return flat


def busy_response(exc: Busy):
    """A wait on the database ran out: 503 with Retry-After, after rolling everything back.

    problem+json in the API; in the back office a flash on the page the form came
    from (a POST) or a 503 page (a GET).
    """
    rollback(db.session)
    headers = {"Retry-After": str(exc.retry_after)}
    g.alur_retry_after = headers["Retry-After"]  # kept: see _keep_retry_after
    if request.path.startswith("/api/"):
        return problem(503, exc.message, code=exc.code, headers=headers)
    if isinstance(exc, Unavailable):
        message = _("The database is not available just now. Try again shortly.")
    else:
        message = _(
            "The data is in use by another request; nothing was changed. Try again shortly."
        )
    if request.method == "POST":
        flash(message, "error")
        back = request.referrer or ""
        same_site = back.startswith(request.host_url)
        return redirect(back if same_site else "/admin/", 303), headers
    response = ServiceUnavailable(description=message).get_response()
    response.headers.update(headers)
    return response


def too_many_logins(exc: HTTPException):
    """The password pages' 429: in the user's language, saying how long to wait."""
    wait = getattr(exc, "retry_after", None) or 60
    headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}
    minutes = math.ceil(wait / 60)
    message = ngettext(
        "To protect the account, signing in is paused. Try again in %(num)s minute.",
        "To protect the account, signing in is paused. Try again in %(num)s minutes.",
        minutes,
    )
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return problem(429, message, headers=headers)
    page = render_template(
        "errors/too_many_logins.html", message=message, lang=get_locale() or "id"
    )
    return page, 429, headers


def http_error(exc: HTTPException):
    """An HTTP error: problem+json under /api/, the 429 page, and as usual elsewhere."""
    if not request.path.startswith("/api/"):
        return too_many_logins(exc) if exc.code == 429 else exc
    data = getattr(exc, "data", None) or {}
    # webargs' field errors come as "messages", ours (headers, cursors) as "errors".
    errors = _flatten(data.get("messages") or data.get("errors")) if exc.code == 422 else None
    headers = dict(exc.get_headers()) if exc.code in (405, 429) else {}
    headers.pop("Content-Type", None)
    if exc.code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = "60"
    detail = data.get("message") or exc.description
    if exc.code == 422:
        errors = errors or {"_schema": [data.get("message") or exc.description]}
        detail = "The request has invalid fields; see errors."
    return problem(exc.code or 500, detail, headers=headers, errors=errors)


def register(app) -> None:
    """Answer errors with problem+json under /api/, and as usual elsewhere."""

    @app.errorhandler(WorkflowError)
    def _workflow_error(exc: WorkflowError):
        body = workflow_error_body(exc)
        response = jsonify(body)
        response.status_code = body["status"]
        response.content_type = MEDIA_TYPE
        return response

    @app.errorhandler(Busy)
    def _busy(exc: Busy):
        return busy_response(exc)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if is_busy(exc):
            return busy_response(Busy())
        if is_unavailable(exc):
            return busy_response(Unavailable())
        raise exc  # a fault of ours: a 500, logged

    # Replaces flask-smorest's app-wide handler, which would turn the back
    # office's and the login page's errors into JSON.
    app.register_error_handler(HTTPException, http_error)
    # Last of the after-request hooks (they run in reverse): after the rate limiter's.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_retry_after)


def _keep_retry_after(response):
    """A busy or unavailable database's Retry-After, as we said it. The rate limiter puts
    its window's end there instead when that is later (up to an hour away): a client
    would wait that long to retry a request the database could take in seconds."""
    said = g.get("alur_retry_after")
    if said is not None:
        response.headers["Retry-After"] = said
    return response
