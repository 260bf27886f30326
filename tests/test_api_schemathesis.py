"""schemathesis against the API's own OpenAPI document: no 5xx, and answers match it."""

from __future__ import annotations

import contextvars

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from alur import create_app
from tests.factories import new_record
from tests.workflow_paths import bring_to

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SETTINGS = {
    "deadline": None,
    "derandomize": True,  # the same requests on every run
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


def _document() -> dict:
    """The API's document, read from an app of its own at collection time.

    Requests go to the test app (see _check), whose database the fixtures fill.
    Bulk bodies are generated with at most 25 items: generating and checking
    10,000-item bodies costs minutes; the limit itself is tested on its own.
    """
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    document["components"]["schemas"]["BulkRequest"]["properties"]["items"]["maxItems"] = 25
    return document


schema = schemathesis.openapi.from_dict(_document())


def _check(case, app, session, cast, bearer) -> None:
    if not getattr(cast, "_headers", None):
        bring_to(new_record(session, cast, "appraisal"), "submitted")
        bring_to(new_record(session, cast, "training_nomination"), "reviewed")
        bring_to(new_record(session, cast, "mentoring_assignment"), "approved")
        cast._headers = bearer(cast.admin)
    case.operation.app = app
    # Each request in a fresh context, as the real server gives it.
    contextvars.Context().run(case.call_and_validate, headers=cast._headers, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=25, **SETTINGS)
def test_api_answers_every_generated_request_within_its_contract(case, app, session, cast, bearer):
    _check(case, app, session, cast, bearer)
