"""Reports over the rulebook's ledgers: the JP report."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from alur.api.auth import actor
from alur.api.records import TOKEN_AUTH, page_args, problems
from schemas.base import encode_cursor
from schemas.jp_report import JpReportQuery, JpReportSchema
from workflow import jp
from workflow.db import db
from workflow.models import RoleName

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="Reports: the 20 JP yearly right")  # fmt: skip


@blp.route("/jp-report")
class JpReport(MethodView):
    decorators = TOKEN_AUTH

    @blp.arguments(JpReportQuery, location="query", unknown="raise")
    @blp.response(200, JpReportSchema)
    @problems(blp, 403, 422)
    def get(self, args):
        """Employees of an agency (or unit) below the JP threshold in a year, with unit totals."""
        user = actor()
        hr_here = user.has_role(RoleName.HR_OFFICER) and user.agency_id == args["agency_id"]
        if not (user.has_role(RoleName.ADMIN) or hr_here):
            abort(403, message="the JP report is for admins and the agency's HR officers")
        limit, after = page_args(args)
        scope = {"year": args["year"], "agency_id": args["agency_id"],
                 "unit_id": args.get("unit_id"), "threshold": args["threshold"]}  # fmt: skip
        rows = jp.below(db.session, **scope, limit=limit + 1, after=after)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            **scope,
            "totals": jp.totals(db.session, **scope),
            "items": rows,
            "next_cursor": encode_cursor(rows[-1].employee_id) if more else None,
        }


def register(api) -> None:
    api.register_blueprint(blp)
