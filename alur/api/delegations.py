"""Acting officials over HTTP: HR officers (their agency) and admins manage delegations."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query
from schemas.base import page_of
from schemas.delegation import DelegationQuery, DelegationSchema
from workflow import delegation, policy
from workflow.db import MAX_ID, db
from workflow.models import Delegation

blp = Blueprint(
    "delegations",
    __name__,
    url_prefix="/api/v1/delegations",
    description="Acting officials (Plt/Plh) for a dated period",
)


def _scope(stmt):
    user = actor()
    if not (policy.is_admin(user) or policy.is_hr_of(user, user.agency_id)):
        abort(403, message="delegations are managed by admins and the agency's HR officers")
    clause = policy.scope(user, Delegation)
    return stmt if clause is None else stmt.where(clause)


@blp.route("")
class Delegations(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, DelegationQuery, page_of(DelegationSchema), 403, 422)
    def get(self, args):
        """Delegations of your agency (all, for admins), oldest first."""
        stmt = _scope(select(Delegation))
        return page(Delegation, stmt, args, ("principal_id", "delegate_id"))

    @blp.arguments(DelegationSchema)
    @blp.response(201, DelegationSchema)
    @problems(blp, 403, 404, 422)
    def post(self, data):
        """Let ``delegate_id`` act for ``principal_id`` from ``starts_on`` to ``ends_on``."""
        row = delegation.delegate(db.session, actor(), **data, via="api")
        return row, 201, {"Location": url_for("delegations.DelegationItem", item_id=row.id)}


@blp.route(f"/<int(min=1, max={MAX_ID}):item_id>")
class DelegationItem(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, DelegationSchema)
    @problems(blp, 403, 404)
    def get(self, item_id):
        """One delegation."""
        row = db.session.scalar(_scope(select(Delegation).where(Delegation.id == item_id)))
        if row is None:
            abort(404, message=f"no delegation {item_id}")
        return row

    @blp.response(200, DelegationSchema)
    @problems(blp, 403, 404)
    def delete(self, item_id):
        """End the delegation now (it stays on record, revoked)."""
        return delegation.revoke(db.session, actor(), item_id, via="api")


def register(api) -> None:
    api.register_blueprint(blp)
