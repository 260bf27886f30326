"""The service's front door: what it is, whether it can reach its database, its HTML pages."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_security import current_user
from werkzeug.exceptions import HTTPException

from workflow.db import db
from workflow.workflows import WORKFLOWS

bp = Blueprint("web", __name__)

# The errors a browser is shown a page of (429 has its own: alur.api.problems).
ERROR_PAGES = {
    403: (_l("Access denied"), _l("Your account may not open this page.")),
    404: (_l("Page not found"), _l("The address may be mistyped, or the page has moved.")),
    405: (_l("Request not allowed"), _l("This page cannot be opened this way.")),
    500: (
        _l("Something went wrong"),
        _l("The server met an error and has recorded it. Try again in a moment."),
    ),
}


@bp.get("/")
def index():
    """A browser is sent to the back office; a program is told what the service is."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return redirect(url_for("admin.index"))
    return jsonify(
        name="Alur",
        description="Workflow engine for the development of Indonesia's civil servants (ASN)",
        workflows={name: sorted(s.value for s in wf.states) for name, wf in WORKFLOWS.items()},
        links={
            "health": url_for("web.health"),
            "ready": url_for("web.ready"),
            "login": url_for("security.login"),
        },
    )


@bp.get("/health")
def health():
    """Alive: the process answers. It asks nothing of the database, so that a database
    outage does not get every app server restarted; ``/ready`` asks."""
    return jsonify(status="ok")


@bp.get("/ready")
def ready():
    """Ready to serve: the database answers, its schema is at the code's head, Redis
    answers. Only each check's verdict: the details are ``flask doctor``'s, for operators."""
    from alur import checks

    results = checks.ready(current_app)
    ok = all(check.status != "fail" for check in results)
    body = {
        "status": "ready" if ok else "not ready",
        "checks": {check.name: check.status for check in results},
    }
    return jsonify(body), 200 if ok else 503


def render_page(template: str, **context) -> str:
    """Render a page; a signed-in user's has the back office's menu, language and log out.

    Flask-Security renders its pages with this (``render_template``), and so do the
    error pages: the back office's base needs the context of one of its views.
    """
    admins = current_app.extensions.get("admin") or []
    if admins and current_user.is_authenticated:
        return admins[0].index_view.render(template, **context)
    return render_template(template, **context)


def wants_page() -> bool:
    """A browser's request: not the API's, which answers problem+json, nor a JSON client's."""
    if request.path.startswith("/api/") or request.is_json:
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best != "application/json"


def error_page(exc: HTTPException):
    """The error's page, in the user's language, with the way back."""
    title, message = ERROR_PAGES[exc.code]
    # A 405 keeps its Allow; the body is ours.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    context = {"code": exc.code, "title": title, "message": message}
    if exc.code == 500:
        # The fault may be the database's: the page asks nothing of it (no user, no menu).
        return render_template("errors/error.html", signed_in=None, **context), 500, headers
    signed_in = current_user.is_authenticated
    return render_page("errors/error.html", signed_in=signed_in, **context), exc.code, headers


def register_errors(app) -> None:
    """Pages for a browser's 403, 404, 405 and 500; everything else as before.

    Called after ``alur.api.problems.register``, whose handler of every HTTP error it
    replaces: the API's problem+json, the 429 page and any other code are still its answer.
    """
    from alur.api.problems import http_error

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code in ERROR_PAGES and exc.response is None and wants_page():
            return error_page(exc)
        return http_error(exc)


@bp.get(
    "/verify/<any(appraisal, skp_plan):workflow>/<int(min=1, max=2147483647):record_id>/<token>"
)
def verify_document(workflow: str, record_id: int, token: str):
    """What a printed document's QR code opens: whether it is the record as it stands (no
    login; the name, NIP and predikat only). An unknown seal is a 404 that says so."""
    from admin.views.workflows import period_label
    from workflow import documents

    verdict = documents.verify(db.session, workflow, record_id, token)
    if verdict is None:
        page = render_template("verify/document.html", verdict=None, verdict_code="unknown")
        return page, 404
    record = verdict.record
    code = "altered" if verdict.altered else "current" if verdict.current else "changed"
    return render_template(
        "verify/document.html",
        verdict=verdict,
        verdict_code=code,
        name=record.employee.name,
        nip=record.employee.nip,
        period=(
            period_label(record.year, record.period)
            if workflow == "appraisal"
            else str(record.year)
        ),
        what=workflow,
        # the predikat of the record as printed only: an outdated copy learns no newer one
        predicate=getattr(record, "predicate", None) if verdict.current else None,
        sealed_at=format_datetime(verdict.sealed_at, "d MMMM y HH.mm"),
    )
