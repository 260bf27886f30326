"""The distribution of predicates, and the organisation's rating it is judged by."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema
from workflow.models.ratings import OrganisationPredicate
from workflow.workflows.appraisal import PERIOD_PATTERN

ID = ID_RANGE
RATINGS = [r.value for r in OrganisationPredicate]


class DistributionQuery(BaseSchema):
    agency_id = fields.Integer(required=True, validate=ID)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    period = fields.String(
        load_default="annual",
        validate=validate.Regexp(PERIOD_PATTERN),
        metadata={"description": "annual, Q1..Q4 or M01..M12"},
    )


class ShareSchema(BaseSchema):
    predicate = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(required=True, metadata={"description": "0..1 of the approved"})


class FindingSchema(BaseSchema):
    predicates = fields.Method("_predicates", metadata={"description": "Predicates counted"})
    min_share = fields.Float(attribute="bound.min_share")
    max_share = fields.Float(attribute="bound.max_share")
    someone = fields.Boolean(
        attribute="bound.someone", metadata={"description": "At least one employee expected"}
    )
    largest = fields.Boolean(
        attribute="bound.largest", metadata={"description": "Expected to be the largest group"}
    )
    text = fields.String()
    count = fields.Integer()
    share = fields.Float()
    met = fields.Boolean(allow_none=True, metadata={"description": "None: nothing to judge"})

    def _predicates(self, finding) -> list[str]:
        return [p.value for p in finding.bound.predicates]


class DistributionSchema(BaseSchema):
    agency_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    period = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "Approved appraisals"})
    shares = fields.List(fields.Nested(ShareSchema), required=True)
    organisation_rating = fields.String(
        attribute="rating", allow_none=True, metadata={"description": "Predikat kinerja organisasi"}
    )
    guidance = fields.String(allow_none=True, metadata={"description": "The rule applied"})
    meets_guidance = fields.Boolean(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))


class OrganisationRatingSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    agency_id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True)
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    set_by_id = fields.Integer(dump_only=True, allow_none=True)
    set_at = fields.DateTime(dump_only=True)
