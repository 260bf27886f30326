"""Performance periods over HTTP: HR officers (their agency) and admins define and open them."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query
from schemas.base import page_of
from schemas.period import OpeningSchema, PeriodQuery, PeriodSchema
from workflow import periods, policy
from workflow.db import MAX_ID, db
from workflow.models import PerformancePeriod

blp = Blueprint(
    "periods",
    __name__,
    url_prefix="/api/v1/periods",
    description="Performance periods (PermenPANRB 6/2022) and their opening",
)


def _scope(stmt):
    user = actor()
    if not (policy.is_admin(user) or policy.is_hr_of(user, user.agency_id)):
        abort(403, message="periods are managed by admins and the agency's HR officers")
    clause = policy.scope(user, PerformancePeriod)
    return stmt if clause is None else stmt.where(clause)


@blp.route("")
class Periods(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, PeriodQuery, page_of(PeriodSchema), 403, 422)
    def get(self, args):
        """Periods of your agency (all, for admins), oldest first."""
        return page(
            PerformancePeriod, _scope(select(PerformancePeriod)), args, ("agency_id", "year")
        )

    @blp.arguments(PeriodSchema)
    @blp.response(201, PeriodSchema)
    @problems(blp, 403, 404, 409, 422)
    def post(self, data):
        """Define a period; the dates left out follow from the year, kind and number."""
        row = periods.define(db.session, actor(), **data, via="api")
        return row, 201, {"Location": url_for("periods.PeriodItem", item_id=row.id)}


@blp.route(f"/<int(min=1, max={MAX_ID}):item_id>")
class PeriodItem(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, PeriodSchema)
    @problems(blp, 403, 404)
    def get(self, item_id):
        """One period."""
        row = db.session.scalar(
            _scope(select(PerformancePeriod).where(PerformancePeriod.id == item_id))
        )
        if row is None:
            abort(404, message=f"no performance period {item_id}")
        return row


@blp.route(f"/<int(min=1, max={MAX_ID}):item_id>/open")
class PeriodOpening(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, OpeningSchema)
    @problems(blp, 403, 404, 409)
    def post(self, item_id):
        """Open the period: make the appraisal of every employee of its agency who has none
        for it yet, and for a year their SKP plan too (opening again makes only what is
        missing)."""
        opening = periods.open_period(db.session, actor(), item_id, via="api")
        return {
            "period_id": opening.period_id,
            "made": opening.made,
            "had_one": opening.had_one,
            "left_out": [{"nip": nip, "reason": reason} for nip, reason in opening.left_out],
            "plans_made": opening.plans_made,
            "had_plan": opening.had_plan,
        }


def register(api) -> None:
    api.register_blueprint(blp)
