"""The service's front door: what it is, and whether it can reach its database."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import db
from workflow.workflows import WORKFLOWS

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    """A browser is sent to the back office; a program is told what the service is."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return redirect(url_for("admin.index"))
    return jsonify(
        name="Alur",
        description="Workflow engine for the development of Indonesia's civil servants (ASN)",
        workflows={name: sorted(s.value for s in wf.states) for name, wf in WORKFLOWS.items()},
        links={"health": url_for("web.health"), "login": url_for("security.login")},
    )


@bp.get("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    return jsonify(status="ok", database=db.engine.dialect.name)
