"""The JSON API at /api/v1: flask-smorest, bearer tokens, problem+json errors."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_smorest import Api

from alur.api import auth, problems, records

API_SETTINGS = {
    "API_TITLE": "Alur API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Workflows for the development of Indonesia's civil servants (ASN): "
            "training nominations, mentoring assignments and performance appraisals.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    },
}

api = Api()


def init_api(app, security) -> None:
    """Mount the API on ``app``: settings, auth, errors, resources, reference page."""
    for name, value in API_SETTINGS.items():
        app.config.setdefault(name, value)
    api.init_app(app)
    auth.register(security)
    problems.register(app)
    records.register(api)
    app.register_blueprint(docs)


docs = Blueprint("api_docs", __name__, template_folder="../templates")


@docs.get("/api/v1/docs")
def reference():
    """A readable API reference, rendered here from the OpenAPI document (works offline)."""
    spec = api.spec.to_dict()
    return render_template("api/reference.html", spec=spec)
