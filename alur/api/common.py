"""What the API's resources share: the token check, documented problems, keyset pages."""

from __future__ import annotations

import functools

import structlog
from flask import request
from flask_security import auth_required
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from alur.api.auth import actor
from schemas.base import ProblemSchema, decode_cursor, encode_cursor
from workflow import policy
from workflow.db import (
    MAX_ID,
    db,
    has_replica,
    is_unavailable,
    replica_failed,
    replica_reads,
    rollback,
)

TOKEN_AUTH = [auth_required("token")]


def problems(blp, *codes: int):
    """Document that an operation may answer with these problem statuses."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=ProblemSchema)(view)
        return view

    return decorate


def query(blp, query_schema, response_schema, *codes: int):
    """A GET answered from query arguments (unknown ones refused): its schemas and problems."""

    def decorate(view):
        view = on_replica(view)
        view = problems(blp, *codes)(view)
        view = blp.response(200, response_schema)(view)
        return blp.arguments(query_schema, location="query", unknown="raise")(view)

    return decorate


log = structlog.get_logger("alur.api")


def on_replica(view):
    """A list, the inbox, a report: read from the read replica when there is one (who
    the caller is was read from the primary already, so a revoked token ends at once)."""

    @functools.wraps(view)
    def read(*args, **kwargs):
        try:
            with replica_reads():
                return view(*args, **kwargs)
        except DBAPIError as exc:
            if not (has_replica() and is_unavailable(exc)):
                raise
        # The replica did not serve (down, or far behind and cut off): the primary does,
        # for this read and for the next REPLICA_REST seconds.
        replica_failed()
        rollback(db.session)
        log.warning("replica unavailable: read from the primary", endpoint=request.endpoint)
        return view(*args, **kwargs)

    return read


def scoped(model):
    """SELECT of the rows of ``model`` the caller may see (the policy's scope)."""
    stmt = select(model)
    clause = policy.scope(actor(), model)
    return stmt if clause is None else stmt.where(clause)


def page(model, stmt, args: dict, filters=()) -> dict:
    """One page of ``stmt``, narrowed to the ``filters`` columns the arguments name."""
    for name in filters:
        if name in args:
            stmt = stmt.where(getattr(model, name) == args[name])
    return page_response(model, stmt, *page_args(args))


def page_args(args: dict) -> tuple[int, int | None]:
    """The page size and the id the page starts after, from a PageQuery."""
    return args["limit"], cursor_arg(args.get("cursor"), record_cursor)


def page_response(model, stmt, limit: int, after: int | None) -> dict:
    """One page of ``stmt`` in id order: no count, one row more to know if more follow."""
    if after is not None:
        stmt = stmt.where(model.id > after)
    rows = db.session.scalars(stmt.order_by(model.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}


def cursor_arg(cursor: str | None, check):
    """Decode a page cursor and check its shape; 422 for one this API did not issue."""
    if cursor is None:
        return None
    try:
        return check(decode_cursor(cursor))
    except (ValidationError, ValueError, TypeError):
        abort(422, errors={"query": {"cursor": ["Not a cursor this API issued."]}})


def record_cursor(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise ValueError
    return value
