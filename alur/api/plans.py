"""What an SKP plan's RHK stand on: the RHK a plan may cite, and the cascade through one.

Plans themselves are a workflow collection (``/skp-plans``, in ``alur.api.records``); their
RHK are written with them, through the engine.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, problems
from alur.api.records import visible_record
from schemas.skp_plan import (
    BasisSchema,
    CascadeItemSchema,
    CascadeSchema,
    EvidenceSchema,
    FeedbackBodySchema,
    FeedbackSchema,
    FileBodySchema,
    LinkBodySchema,
    RealisationBodySchema,
    RealisationSchema,
)
from workflow import NotFound, cascade, evidence_store, plans, policy, realisation
from workflow.db import MAX_ID, db
from workflow.models import RhkItem
from workflow.models.base import PERIODS

UPLOAD_OVERHEAD = 64 * 1024  # a multipart body's headers and boundaries
PERIOD_CHOICES = ", ".join(f'"{p}"' for p in PERIODS)

blp = Blueprint(
    "rhk",
    __name__,
    url_prefix="/api/v1",
    description="The results (RHK) of SKP plans: what each supports, and what supports it",
)


def _item(item: RhkItem) -> dict:
    return {
        **_rhk_fields(item),
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
        "more": node.more,
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


# -- the plan through its year: realisations, evidence, feedback --------------------------


@blp.route(f"/skp-plans/<int(min=1, max={MAX_ID}):item_id>/realisations")
class PlanRealisations(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, RealisationSchema(many=True))
    @problems(blp, 403, 404)
    def get(self, item_id):
        """What the plan's RHK achieved, per period, with their evidence."""
        plan = visible_record("skp_plan", item_id)
        return realisation.realisations(db.session, plan)


@blp.route(f"/rhk/<int(min=1, max={MAX_ID}):item_id>/realisations/<any({PERIOD_CHOICES}):period>")
class RhkRealisation(MethodView):
    decorators = TOKEN_AUTH

    @blp.arguments(RealisationBodySchema)
    @blp.response(200, RealisationSchema)
    @problems(blp, 403, 404, 409, 422)
    def put(self, body, item_id, period):
        """Set what the RHK achieved in the period (annual, Q1..Q4, M01..M12) of its agreed
        plan: the employee, the agency's HR, or an external system (e-Kinerja)."""
        return realisation.record(db.session, actor(), item_id, period, via="api", **body)


@blp.before_request
def _room_for_evidence():
    # An evidence file may be larger than other request bodies (MAX_CONTENT_LENGTH).
    if request.endpoint == f"{blp.name}.EvidenceFiles":
        request.max_content_length = evidence_store.MAX_BYTES + UPLOAD_OVERHEAD


@blp.route(f"/realisations/<int(min=1, max={MAX_ID}):item_id>/evidence/files")
class EvidenceFiles(MethodView):
    decorators = TOKEN_AUTH

    @blp.arguments(FileBodySchema, location="files")
    @blp.response(201, EvidenceSchema)
    @problems(blp, 403, 404, 409, 413, 422)
    def post(self, body, item_id):
        """Attach a file (PDF, PNG or JPEG, known by its content, not its name) as evidence;
        its SHA-256 is kept, and logged."""
        upload = body["file"]
        data = upload.read(evidence_store.MAX_BYTES + 1)
        return realisation.attach_file(
            db.session, actor(), item_id, name=upload.filename, data=data, via="api"
        )


@blp.route(f"/realisations/<int(min=1, max={MAX_ID}):item_id>/evidence/links")
class EvidenceLinks(MethodView):
    decorators = TOKEN_AUTH

    @blp.arguments(LinkBodySchema)
    @blp.response(201, EvidenceSchema)
    @problems(blp, 403, 404, 409, 422)
    def post(self, body, item_id):
        """Attach a link (http or https) as evidence."""
        return realisation.attach_link(db.session, actor(), item_id, url=body["url"], via="api")


@blp.route(f"/evidence/<int(min=1, max={MAX_ID}):item_id>")
class EvidenceFile(MethodView):
    decorators = TOKEN_AUTH

    @blp.doc(responses={"200": {"description": "The file, as it was attached"}})
    @problems(blp, 403, 404, 409)
    def get(self, item_id):
        """An evidence file, for whoever may see its plan; refused (409) if the stored copy
        is not the file whose SHA-256 was recorded."""
        row, data = realisation.read_file(db.session, actor(), item_id)
        return Response(
            data,
            mimetype=row.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.file_name)}",
                "X-Content-Type-Options": "nosniff",
                "Digest": f"sha-256={row.sha256}",
            },
        )


@blp.route(f"/skp-plans/<int(min=1, max={MAX_ID}):item_id>/feedback")
class PlanFeedbackList(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, FeedbackSchema(many=True))
    @problems(blp, 403, 404)
    def get(self, item_id):
        """The assessor's feedback on the plan, oldest first (the employee sees it too)."""
        plan = visible_record("skp_plan", item_id)
        return realisation.feedback(db.session, plan)

    @blp.arguments(FeedbackBodySchema)
    @blp.response(201, FeedbackSchema)
    @problems(blp, 403, 404, 409, 422)
    def post(self, body, item_id):
        """Give a dated note on one RHK or one BerAKHLAK value of the agreed plan: the
        plan's assessor."""
        return realisation.give_feedback(db.session, actor(), item_id, via="api", **body)


@blp.route(f"/appraisals/<int(min=1, max={MAX_ID}):item_id>/basis")
class AppraisalBasis(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, BasisSchema)
    @problems(blp, 403, 404)
    def get(self, item_id):
        """What the appraisal rates against: the agreed plan's RHK with their realisations
        of its period (all periods, for the year's), the assessor's feedback, and for the
        year's appraisal the periodic results."""
        record = visible_record("appraisal", item_id)
        found = realisation.basis(db.session, record)
        return {
            "plan_id": found.plan.id if found.plan is not None else None,
            "rhk": [{**_rhk_fields(item), "realisations": done} for item, done in found.rows],
            "feedback": found.feedback,
            "periodic": found.periodic,
        }


def _rhk_fields(item: RhkItem) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "kind": item.kind,
        "text": item.text,
        "parent_id": item.parent_id,
        "agency_target": item.agency_target,
        "indicators": item.indicators,
    }
