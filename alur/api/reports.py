"""Reports over the rulebook: the JP report, the distribution of predicates."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page_args, problems, query
from schemas.base import encode_cursor
from schemas.distribution import DistributionQuery, DistributionSchema, OrganisationRatingSchema
from schemas.jp_report import JpReportQuery, JpReportSchema
from workflow import distribution, jp
from workflow.db import MAX_ID, db
from workflow.models import RoleName

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Reports: the 20 JP right, the spread of predicates",
)


def _admin_or_hr_of(agency_id: int, what: str) -> None:
    user = actor()
    hr_here = user.has_role(RoleName.HR_OFFICER) and user.agency_id == agency_id
    if not (user.has_role(RoleName.ADMIN) or hr_here):
        abort(403, message=f"{what} is for admins and the agency's HR officers")


@blp.route("/jp-report")
class JpReport(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, JpReportQuery, JpReportSchema, 403, 422)
    def get(self, args):
        """Employees of an agency (or unit) below the JP threshold in a year, with unit totals."""
        _admin_or_hr_of(args["agency_id"], "the JP report")
        limit, after = page_args(args)
        scope = {
            "year": args["year"],
            "agency_id": args["agency_id"],
            "unit_id": args.get("unit_id"),
            "threshold": args["threshold"],
        }
        rows = jp.below(db.session, **scope, limit=limit + 1, after=after)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            **scope,
            "totals": jp.totals(db.session, **scope),
            "items": rows,
            "next_cursor": encode_cursor(rows[-1].employee_id) if more else None,
        }


@blp.route("/predicate-distribution")
class PredicateDistribution(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, DistributionQuery, DistributionSchema, 403, 422)
    def get(self, args):
        """The share of each predicate in an agency's period, against its rating's guidance."""
        _admin_or_hr_of(args["agency_id"], "the distribution of predicates")
        return distribution.report(db.session, **args)


RATING_PATH = (
    f"/organisation-ratings/<int(min=1, max={MAX_ID}):agency_id>"
    "/<int(min=2000, max=2100):year>/<period>"
)


@blp.route(RATING_PATH)
class OrganisationRatingItem(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, OrganisationRatingSchema)
    @problems(blp, 403, 404)
    def get(self, agency_id, year, period):
        """The organisation's own rating for a period (predikat kinerja organisasi)."""
        _admin_or_hr_of(agency_id, "the organisation's rating")
        row = distribution.rating_of(db.session, agency_id=agency_id, year=year, period=period)
        if row is None:
            abort(404, message=f"no rating recorded for agency {agency_id}, {year} {period}")
        return row

    @blp.arguments(OrganisationRatingSchema)
    @blp.response(200, OrganisationRatingSchema)
    @problems(blp, 403, 404, 422)
    def put(self, data, agency_id, year, period):
        """Record the rating (replacing an earlier one); admins and the agency's HR."""
        return distribution.set_rating(
            db.session, actor(), agency_id=agency_id, year=year, period=period, **data
        )


def register(api) -> None:
    api.register_blueprint(blp)
