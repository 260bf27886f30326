"""What an SKP plan's RHK stand on: the RHK a plan may cite, and the cascade through one.

Plans themselves are a workflow collection (``/skp-plans``, in ``alur.api.records``); their
RHK are written with them, through the engine.
"""

from __future__ import annotations

from flask.views import MethodView

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, problems
from alur.api.records import visible_record
from schemas.skp_plan import CascadeItemSchema, CascadeSchema
from workflow import NotFound, cascade, plans, policy
from workflow.db import MAX_ID, db
from workflow.models import RhkItem

blp = Blueprint(
    "rhk",
    __name__,
    url_prefix="/api/v1",
    description="The results (RHK) of SKP plans: what each supports, and what supports it",
)


def _item(item: RhkItem) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "kind": item.kind,
        "text": item.text,
        "parent_id": item.parent_id,
        "agency_target": item.agency_target,
        "indicators": item.indicators,
        "plan_id": item.plan_id,
        "employee_id": item.plan.employee_id,
        "employee_name": item.plan.employee.name,
        "year": item.plan.year,
        "plan_state": item.plan.state,
    }


def _node(node: cascade.Node) -> dict:
    return {
        "item": _item(node.item),
        "children": [_node(child) for child in node.children],
        "hidden": node.hidden,
    }


@blp.route(f"/skp-plans/<int(min=1, max={MAX_ID}):item_id>/citable")
class Citable(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, CascadeItemSchema(many=True))
    @problems(blp, 403, 404)
    def get(self, item_id):
        """The RHK this plan's main RHK may support: those of its assessor's agreed plan for
        the same year (none for the agency head, whose RHK serve the agency's targets)."""
        plan = visible_record("skp_plan", item_id)
        return [_item(i) for i in plans.agreed_rhk(db.session, plan.assessor_id, plan.year)]


@blp.route(f"/rhk/<int(min=1, max={MAX_ID}):item_id>/cascade")
class Cascade(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, CascadeSchema)
    @problems(blp, 403, 404)
    def get(self, item_id):
        """The cascade through one RHK: the RHK above it up to the agency head's (and the
        agency target), and the RHK below it in the plans you may see."""
        item = db.session.get(RhkItem, item_id)
        if item is None or not policy.can_see(actor(), item):
            raise NotFound("RHK %(id)s does not exist", {"id": item_id})
        tree = cascade.through(db.session, actor(), item)
        return {
            "up": [_item(i) for i in tree.up],
            "agency_target": tree.agency_target,
            "node": _node(tree.node),
        }


def register(api) -> None:
    api.register_blueprint(blp)
