"""The JSON API at /api/v1: flask-smorest, bearer tokens, problem+json errors."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, render_template
from flask_smorest import Api

from alur.api import (
    auth,
    delegations,
    documents,
    notifications,
    periods,
    plans,
    problems,
    records,
    reports,
    resources,
    tokens,
    webhooks,
)
from schemas.base import ProblemSchema

API_SETTINGS = {
    "API_TITLE": "Alur API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Workflows for the development of Indonesia's civil servants (ASN): "
            "training nominations, mentoring assignments and performance appraisals."
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    },
}


class AlurApi(Api):
    """Documents every error as an RFC 9457 problem, which is what the API sends."""

    ERROR_SCHEMA = ProblemSchema


def schema_name(schema) -> str:
    """Component name: the class name without "Schema"; partial (PATCH) bodies get "Patch"."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name


def init_api(app, security) -> Api:
    """Mount the API on ``app``: settings, auth, errors, resources, reference page.

    One Api per app (like Flask-Admin's Admin): the test suite builds several apps.
    """
    for name, value in API_SETTINGS.items():
        app.config.setdefault(name, value)
    api = AlurApi(
        spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)}
    )
    api.init_app(app)
    app.extensions["alur_api"] = api
    auth.register(security)
    problems.register(app)
    resources.register(api)
    records.register(api)
    webhooks.register(api)
    reports.register(api)
    delegations.register(api)
    tokens.register(api)
    notifications.register(api)
    periods.register(api)
    documents.register(api)
    plans.register(api)
    app.register_blueprint(docs)
    return api


docs = Blueprint("api_docs", __name__, template_folder="../templates")


@docs.get("/api/v1/docs")
def reference():
    """A readable API reference, rendered here from the OpenAPI document (works offline)."""
    spec = current_app.extensions["alur_api"].spec.to_dict()
    return render_template("api/reference.html", spec=spec)
