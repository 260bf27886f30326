"""The workflow collections: records, transitions, history, actions; and the inbox.

Each function here translates HTTP to one engine call and its result (or
refusal) back to HTTP; rules live in ``workflow``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from flask import jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import (
    TOKEN_AUTH,
    cursor_arg,
    page,
    problems,
    query,
    record_cursor,
    scoped,
)
from alur.api.problems import problem, workflow_error_body
from schemas.appraisal import AppraisalQuery, AppraisalSchema
from schemas.base import encode_cursor, page_of
from schemas.mentoring_assignment import MentoringAssignmentQuery, MentoringAssignmentSchema
from schemas.skp_plan import SkpPlanQuery, SkpPlanSchema
from schemas.training_nomination import TrainingNominationQuery, TrainingNominationSchema
from schemas.workflow_record import (
    ActionsSchema,
    BulkRequestSchema,
    BulkResponseSchema,
    HistorySchema,
    InboxPageSchema,
    InboxQuery,
    TransitionRequestSchema,
)
from workflow import (
    Key,
    NotFound,
    Step,
    WorkflowError,
    allowed_triggers,
    audit,
    create,
    edit,
    get_record,
    inbox,
    policy,
    sla,
    take,
    take_many,
)
from workflow.db import MAX_ID, db
from workflow.models import IdempotentRequest
from workflow.workflows import WORKFLOWS

# ASCII digits only: str.isdigit() and int() also take "²" or "٣" (and int("²") raises).
_VERSION = re.compile(r'(?:W/)?(?:"([0-9]{1,10})"|([0-9]{1,10}))')
IDEMPOTENCY_KEY_RULE = "must be 1 to 255 printable ASCII characters"
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "The version (ETag) you last read; 412 if it changed since",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "schema": {"type": "string"},
    "description": "Retries with the same key and body get the first answer (for 24 hours, "
    "or as the deployment keeps keys)",
}

# collection (URL) -> workflow name, item schema, list query schema, filter columns
COLLECTIONS = {
    "training-nominations": (
        "training_nomination",
        TrainingNominationSchema,
        TrainingNominationQuery,
        ("state", "agency_id", "employee_id", "program_id"),
    ),
    "mentoring-assignments": (
        "mentoring_assignment",
        MentoringAssignmentSchema,
        MentoringAssignmentQuery,
        ("state", "agency_id", "mentor_id"),
    ),
    "appraisals": (
        "appraisal",
        AppraisalSchema,
        AppraisalQuery,
        ("state", "agency_id", "employee_id", "year", "period"),
    ),
    "skp-plans": (
        "skp_plan",
        SkpPlanSchema,
        SkpPlanQuery,
        ("state", "agency_id", "employee_id", "year", "assessor_id"),
    ),
}


def visible_record(workflow: str, record_id: int):
    record = get_record(db.session, workflow, record_id)
    if not policy.can_see(actor(), record):
        # Not 403: whether a record exists is itself not everyone's business.
        raise NotFound(f"{WORKFLOWS[workflow].title} {record_id} does not exist")
    return record


def _with_etag(record, status: int = 200, headers=None):
    """The record for the response schema to dump, with its version as the ETag."""
    return record, status, {"ETag": f'"{record.version}"', **(headers or {})}


def _if_match() -> int | None:
    """The version named by If-Match; 412 for a value that cannot be a version."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _VERSION.fullmatch(header.strip())
    version = int(match.group(1) or match.group(2)) if match else None
    if version is None or version > MAX_ID:
        abort(412, message=f"If-Match {header!r} names no version of this record")
    return version


def _request_hash(*parts) -> str:
    material = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 255 and key.isascii() and key.isprintable()):
        why = f"The key {IDEMPOTENCY_KEY_RULE}."
        abort(422, errors={"headers": {"Idempotency-Key": [why]}})
    return key


def _replay(key: str, request_hash: str, item_schema):
    """The remembered answer to ``key``, or None if the key is unused."""
    remembered = db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == actor().id, IdempotentRequest.key == key
        )
    )
    if remembered is None:
        return None
    if remembered.request_hash != request_hash:
        return problem(
            422,
            "This Idempotency-Key was used with a different request.",
            code="idempotency_key_reused",
            errors={"headers.Idempotency-Key": ["Already used with a different request."]},
        )
    # The record's values when the key was first used, as the response schema shows them.
    response = jsonify(_shown(item_schema, remembered.response))
    response.status_code = remembered.status
    response.headers["ETag"] = f'"{remembered.response["version"]}"'
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _shown(item_schema, values: dict) -> dict:
    """The fields of ``values`` (a record's, as JSON gives them) the response schema shows."""
    fields = item_schema().dump_fields.items()
    return {field.data_key or name: values.get(field.attribute or name) for name, field in fields}


def register(api) -> None:
    for collection, (workflow, schema, query_schema, filters) in COLLECTIONS.items():
        api.register_blueprint(
            _collection_blueprint(collection, workflow, schema, query_schema, filters)
        )
    api.register_blueprint(_inbox_blueprint())


def _collection_blueprint(collection, workflow, item_schema, query_schema, filters):
    wf = WORKFLOWS[workflow]
    blp = Blueprint(
        collection,
        __name__,
        url_prefix=f"/api/v1/{collection}",
        description=f"{wf.title}s and their workflow",
    )
    page_schema = page_of(item_schema)
    item_url = f"<int(min=1, max={MAX_ID}):record_id>"

    @blp.route("")
    class Records(MethodView):
        decorators = TOKEN_AUTH

        @query(blp, query_schema, page_schema, 422)
        def get(self, args):
            """List the records you may see, oldest first (keyset pagination)."""
            return page(wf.model, scoped(wf.model), args, filters)

        @blp.arguments(wf.create_schema)
        @blp.response(201, item_schema)
        @problems(blp, 403, 409, 422)
        def post(self, data):
            """Create a record in its initial state (draft)."""
            record = create(db.session, workflow, actor(), data, via="api")
            location = url_for(f"{collection}.Record", record_id=record.id)
            return _with_etag(record, 201, {"Location": location})

    @blp.route(f"/{item_url}")
    class Record(MethodView):
        decorators = TOKEN_AUTH

        @blp.response(200, item_schema)
        @problems(blp, 404)
        def get(self, record_id):
            """Read one record; its ETag is its version."""
            return _with_etag(visible_record(workflow, record_id))

        @blp.arguments(wf.edit_schema)
        @blp.response(200, item_schema)
        @problems(blp, 403, 404, 409, 412, 422)
        @blp.doc(parameters=[IF_MATCH])
        def patch(self, data, record_id):
            """Change fields while the record is a draft or returned (not its state)."""
            record = edit(
                visible_record(workflow, record_id),
                actor(),
                data,
                via="api",
                expected_version=_if_match(),
            )
            return _with_etag(record)

    @blp.route(f"/{item_url}/transitions")
    class Transitions(MethodView):
        decorators = TOKEN_AUTH

        @blp.response(200, HistorySchema)
        @problems(blp, 404)
        def get(self, record_id):
            """The record's history: every audit entry, oldest first."""
            record = visible_record(workflow, record_id)
            return {"items": audit.history(db.session, record)}

        @blp.arguments(TransitionRequestSchema)
        @blp.response(200, item_schema)
        @problems(blp, 403, 404, 409, 412, 422)
        @blp.doc(parameters=[IF_MATCH, IDEMPOTENCY_KEY])
        def post(self, body, record_id):
            """Fire a trigger; returns the updated record."""
            expected = _if_match()
            key = _idempotency_key()
            fingerprint = (
                None if key is None else _request_hash(collection, record_id, body, expected)
            )
            if key is not None and (replayed := _replay(key, fingerprint, item_schema)) is not None:
                return replayed
            step = Step(
                workflow,
                record_id,
                body["trigger"],
                actor(),
                "api",
                comment=body.get("comment"),
                data=body.get("data"),
                expected_version=expected,
                key=None if key is None else Key(key, fingerprint),
            )
            try:
                record = take(db.session, step)
            except (IntegrityError, WorkflowError):
                # A request with the same key may have raced this one and won (so this
                # one hit the key's unique index, or found the step already taken):
                # then the answer is the winner's.
                db.session.rollback()
                replayed = _replay(key, fingerprint, item_schema) if key else None
                if replayed is None:
                    raise
                return replayed
            return _with_etag(record)

    @blp.route(f"/{item_url}/actions")
    class Actions(MethodView):
        decorators = TOKEN_AUTH

        @blp.response(200, ActionsSchema)
        @problems(blp, 404)
        def get(self, record_id):
            """The triggers you may fire on this record now, with the data each needs."""
            record = visible_record(workflow, record_id)
            return {
                "state": record.state,
                "version": record.version,
                "actions": [_action(a) for a in allowed_triggers(record, actor())],
            }

    @blp.route("/transitions")
    class Bulk(MethodView):
        decorators = TOKEN_AUTH

        @blp.arguments(BulkRequestSchema)
        @blp.response(200, BulkResponseSchema)
        def post(self, body):
            """Fire triggers on many records; each item succeeds or fails on its own."""
            user = actor()
            many = [
                Step(
                    workflow,
                    item["id"],
                    item["trigger"],
                    user,
                    "api",
                    item.get("comment"),
                    item.get("data"),
                    item.get("version"),
                )
                for item in body["items"]
            ]
            outcomes = take_many(db.session, many, keep=False)
            del many  # taken: let the steps go before the answer is built
            results = [_bulk_result(outcome) for outcome in outcomes]
            del outcomes
            succeeded = sum(1 for r in results if r["ok"])
            # Built in BulkResponseSchema's shape and sent as it is: a dump would copy up to
            # 10,000 results once more (and keep the copy to the request's end) only to write
            # them out.
            return jsonify(results=results, succeeded=succeeded, failed=len(results) - succeeded)

    return blp


def _action(allowed) -> dict:
    return {
        "trigger": allowed.trigger,
        "dest": allowed.dest,
        "needs_comment": allowed.needs_comment,
        "fields_": list(allowed.fields),
        "required": list(allowed.required),
    }


def _bulk_result(outcome) -> dict:
    if outcome.error is not None:
        body = workflow_error_body(outcome.error)
        return {
            "id": outcome.id,
            "ok": False,
            "status": body["status"],
            "state": None,
            "version": None,
            "problem": body,
        }
    return {
        "id": outcome.id,
        "ok": True,
        "status": 200,
        "state": outcome.state,
        "version": outcome.version,
        "problem": None,
    }


def _inbox_blueprint():
    blp = Blueprint(
        "inbox", __name__, url_prefix="/api/v1/inbox", description="What waits for your action"
    )

    @blp.route("")
    class Inbox(MethodView):
        decorators = TOKEN_AUTH

        @query(blp, InboxQuery, InboxPageSchema, 422)
        def get(self, args):
            """Everything awaiting your action across the workflows, oldest first."""
            after = cursor_arg(args.get("cursor"), _inbox_cursor)
            items = inbox(db.session, actor(), limit=args["limit"] + 1, after=after)
            more = len(items) > args["limit"]
            items = items[: args["limit"]]
            next_cursor = None
            if more:
                last = items[-1]
                next_cursor = encode_cursor(
                    [last.waiting_since.isoformat(), last.workflow, last.record.id]
                )
            me = actor()
            escalations = []
            if after is None and me.employee_id is not None:
                escalations = sla.escalated_to(db.session, me.employee_id)
            return {
                "items": [
                    {
                        "workflow": i.workflow,
                        "id": i.record.id,
                        "state": i.record.state,
                        "waiting_since": i.waiting_since,
                        "actions": [_action(a) for a in i.triggers],
                    }
                    for i in items
                ],
                "next_cursor": next_cursor,
                "escalations": escalations,
            }

    return blp


def _inbox_cursor(value) -> tuple[datetime, str, int]:
    at, workflow, record_id = value
    at = datetime.fromisoformat(at)
    if workflow not in WORKFLOWS or at.tzinfo is None:
        raise ValueError
    return at, workflow, record_cursor(record_id)
