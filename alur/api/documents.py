"""The documents people print and sign, over HTTP: the appraisal's *Dokumen Evaluasi Kinerja
Pegawai* as PDF, for whoever may see the record."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, problems
from alur.api.records import visible_record
from workflow.db import MAX_ID

blp = Blueprint(
    "documents",
    __name__,
    url_prefix="/api/v1",
    description="Documents to print and sign, each with a QR code anyone can check",
)

PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@blp.route(f"/appraisals/<int(min=1, max={MAX_ID}):item_id>/document.pdf")
class AppraisalDocument(MethodView):
    decorators = TOKEN_AUTH

    @blp.doc(responses={"200": {"description": "The document (A4, Indonesian)", **PDF}})
    @problems(blp, 403, 404)
    def get(self, item_id):
        """The appraisal's *Dokumen Evaluasi Kinerja Pegawai*: the employee, the assessor and
        the assessor's superior, the ratings, feedback and predikat, signature blocks, and a
        QR code of the address that tells whether it is still the record as it stands."""
        # Drawn by the back office's templates, registered where the app mounts both.
        return current_app.extensions["alur_documents"].response(
            visible_record("appraisal", item_id)
        )


@blp.route(f"/skp-plans/<int(min=1, max={MAX_ID}):item_id>/document.pdf")
class PlanDocument(MethodView):
    decorators = TOKEN_AUTH

    @blp.doc(responses={"200": {"description": "The document (A4, Indonesian)", **PDF}})
    @problems(blp, 403, 404)
    def get(self, item_id):
        """The *Sasaran Kinerja Pegawai*: the employee and the assessor, each RHK with what it
        supports and its indicators and targets, the leader's expectations of each BerAKHLAK
        value, signature blocks, and a QR code of the address that tells whether it is still
        the record as it stands."""
        return current_app.extensions["alur_documents"].response(
            visible_record("skp_plan", item_id)
        )


def register(api) -> None:
    api.register_blueprint(blp)
