"""Performance appraisal (penilaian kinerja, the SKP evaluation behind e-Kinerja).

submit: the employee's self-assessment · review: the assessor (Pejabat Penilai
Kinerja) rates work results and behaviour and gives feedback · approve: the
assessor's superior (Atasan Pejabat Penilai Kinerja), which plans the follow-up
(workflow.followup) · appeal: the employee's objection (keberatan) within the
window, which the assessor's superior upholds or revises.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from workflow import followup
from workflow.definition import Workflow, t
from workflow.errors import TransitionNotAllowed, term
from workflow.models.audit import AuditEntry
from workflow.models.org import Employee
from workflow.models.records import Appraisal, AppraisalState
from workflow.parties import ADMIN, APPROVER, ASSESSOR, EXTERNAL, HR, SUBJECT
from workflow.predicate import CURRENT_RULE, CoreValue, Rating, predicate_for
from workflow.settings import rules
from workflow.workflows import common, officials
from workflow.workflows.common import StrictSchema, ref_id, text

State = AppraisalState


# An appraisal covers a year ("annual") or part of it: a quarter or a month,
# as the agency sets its periodic appraisals.
# \A…\Z, not ^…$: "$" also matches before a final newline ("annual\n").
PERIOD_PATTERN = re.compile(r"\A(annual|Q[1-4]|M(0[1-9]|1[0-2]))\Z")


class AppraisalSubmitSchema(StrictSchema):
    self_assessment = text(metadata={"description": "The employee's self-assessment"})


class AppraisalReviewSchema(StrictSchema):
    work_result_rating = fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in Rating]),
        metadata={"description": "Hasil kerja"},
    )
    behaviour_rating = fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in Rating]),
        metadata={"description": "Perilaku kerja (BerAKHLAK)"},
    )
    feedback = text(required=True, metadata={"description": "Umpan balik"})
    behaviour_feedback = fields.Dict(
        keys=fields.String(validate=validate.OneOf([v.value for v in CoreValue])),
        values=fields.String(validate=validate.Length(min=1, max=2000)),
        load_default=dict,
        metadata={
            "description": "Feedback per BerAKHLAK value (berorientasi_pelayanan, "
            "akuntabel, kompeten, harmonis, loyal, adaptif, kolaboratif); a behaviour "
            "rating above or below expectations names at least one"
        },
    )

    @validates_schema
    def _names_the_values(self, data, **kwargs):
        # PermenPANRB 6/2022 rates behaviour against the leader's expectations of each
        # BerAKHLAK value: a rating off expectations says which values it is about.
        off = data.get("behaviour_rating") not in (None, Rating.AS_EXPECTED)
        named = {k: v for k, v in data.get("behaviour_feedback", {}).items() if v.strip()}
        if off and not named:
            raise ValidationError(
                "A behaviour rating above or below expectations names the BerAKHLAK "
                "value(s) it is about, with feedback.",
                "behaviour_feedback",
            )


def record_self_assessment(ctx) -> None:
    if "self_assessment" in ctx.payload:
        ctx.record.self_assessment = ctx.payload["self_assessment"]


def appeal_deadline(record) -> datetime | None:
    """Until when the employee may object (keberatan) to the approved appraisal, or None
    (not approved): the window PermenPANRB 6/2022 gives after the predikat is set."""
    if record.state != "approved" or record.state_changed_at is None:
        return None
    return record.state_changed_at + timedelta(days=rules().appeal_window_days)


def appeal_reason(session, record) -> str | None:
    """Why the employee objected: the reason given with the last ``appeal`` step."""
    return session.scalar(
        select(AuditEntry.comment)
        .where(
            AuditEntry.workflow == "appraisal",
            AuditEntry.record_id == record.id,
            AuditEntry.trigger == "appeal",
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )


def within_appeal_window(ctx) -> None:
    """Guard of ``appeal``: only within the window after the approval."""
    days = rules().appeal_window_days
    if ctx.now > ctx.record.state_changed_at + timedelta(days=days):
        raise TransitionNotAllowed(
            "an objection must be made within %(days)s days of the approval",
            {"days": days},
            state=ctx.record.state,
            allowed=[],
        )


def record_ratings(ctx) -> None:
    """Store the ratings and the predicate they give under the current matrix."""
    record, data = ctx.record, ctx.payload
    record.work_result_rating = data["work_result_rating"]
    record.behaviour_rating = data["behaviour_rating"]
    record.feedback = data["feedback"]
    notes = {k: v.strip() for k, v in data.get("behaviour_feedback", {}).items() if v.strip()}
    # in the values' own order, so the record reads the same whoever wrote it
    record.behaviour_feedback = {v.value: notes[v.value] for v in CoreValue if v in notes} or None
    record.predicate = predicate_for(data["work_result_rating"], data["behaviour_rating"]).value
    record.predicate_rule = CURRENT_RULE


S = State

TRANSITIONS = [
    t(
        "submit",
        [S.draft, S.returned],
        S.submitted,
        [SUBJECT, ADMIN, EXTERNAL],
        payload=AppraisalSubmitSchema,
        effects=(record_self_assessment,),
        inbox=(SUBJECT,),
    ),
    *common.review_and_approval(
        ASSESSOR,
        APPROVER,
        review={"payload": AppraisalReviewSchema, "effects": (record_ratings,)},
        approve={"effects": (followup.plan,)},
    ),
    t("withdraw", [S.draft, S.submitted, S.returned], S.withdrawn, [SUBJECT, HR, ADMIN]),
    # Keberatan: the employee objects to the predicate within the window; the assessor's
    # superior decides, upholding it or revising the ratings (and so the predicate).
    t(
        "appeal",
        S.approved,
        S.appealed,
        [SUBJECT],
        needs_comment=True,
        guards=(within_appeal_window,),
    ),
    t(
        "uphold",
        S.appealed,
        S.approved,
        [APPROVER, ADMIN],
        needs_comment=True,
        inbox=(APPROVER,),
        not_subject=True,
    ),
    t(
        "revise",
        S.appealed,
        S.approved,
        [APPROVER, ADMIN],
        needs_comment=True,
        payload=AppraisalReviewSchema,
        effects=(record_ratings, followup.plan),
        not_subject=True,
    ),
]


class AppraisalCreateSchema(StrictSchema):
    employee_id = ref_id()
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    period = fields.String(
        load_default="annual",
        validate=validate.Regexp(PERIOD_PATTERN),
        metadata={"description": "annual, Q1..Q4 or M01..M12"},
    )
    assessor_id = ref_id(
        required=False,
        metadata={
            "description": "HR officers and admins only, with a reason. Default: the employee's "
            "direct superior (pejabat penilai kinerja)"
        },
    )
    approver_id = ref_id(
        required=False,
        metadata={
            "description": "HR officers and admins only, with a reason. Default: the assessor's "
            "superior (atasan pejabat penilai kinerja)"
        },
    )
    reason = officials.reason_field()
    cross_agency = officials.cross_agency_field()


class AppraisalEditSchema(StrictSchema):
    assessor_id = ref_id(required=False, metadata={"description": "Pejabat penilai (HR, admin)"})
    approver_id = ref_id(required=False, metadata={"description": "Atasan pejabat penilai"})
    reason = officials.reason_field()
    cross_agency = officials.cross_agency_field()


OFFICIALS = ("assessor_id", "approver_id")


def revise(session, record, values: dict, actor=None) -> None:
    """Name another assessor or approver (say, after a transfer): HR or admins, with a reason."""
    given = officials.check_naming(
        actor, values, OFFICIALS, record.agency_id, subject_id=record.employee_id
    )
    cross = officials.check_cross_agency(actor, values)
    for field, ident in given.items():
        officials.member(session, field, ident, record.agency_id, cross=cross)
    officials.three_people(
        record.employee_id,
        given.get("assessor_id", record.assessor_id),
        given.get("approver_id", record.approver_id),
        named=tuple(given),
    )
    common.apply(session, record, given)


def prepare(session, data: dict, actor=None) -> dict:
    """Derive the assessor and approver from the supervisor chain, unless HR names them."""
    employee = common.get_or_invalid(
        session, Employee, data["employee_id"], "employee_id", "employee"
    )
    agency_id = employee.agency_id
    given = officials.check_naming(actor, data, OFFICIALS, agency_id, subject_id=employee.id)
    cross = officials.check_cross_agency(actor, data)
    if "assessor_id" in given:
        assessor = officials.member(
            session, "assessor_id", given["assessor_id"], agency_id, cross=cross
        )
    elif employee.supervisor is not None:
        assessor = employee.supervisor
    else:
        raise officials.vacant(
            "assessor_id",
            term("party", "assessor", "assessor (pejabat penilai kinerja)"),
            term("party", "subject", "the employee"),
        )
    if "approver_id" in given:
        approver_id = officials.member(
            session, "approver_id", given["approver_id"], agency_id, cross=cross
        ).id
    elif assessor.supervisor_id is not None:
        approver_id = assessor.supervisor_id
    else:
        raise officials.vacant(
            "approver_id",
            term("party", "approver", "approver (atasan pejabat penilai kinerja)"),
            term("party", "assessor", "the assessor"),
        )
    officials.three_people(employee.id, assessor.id, approver_id, named=tuple(given))
    people = {"employee_id": employee.id, "assessor_id": assessor.id, "approver_id": approver_id}
    return {**officials.without_extras(data), **people, "agency_id": agency_id}


WORKFLOW = Workflow(
    name="appraisal",
    title="Performance appraisal",
    states=State,
    model=Appraisal,
    initial=S.draft,
    final=frozenset({S.rejected, S.withdrawn}),  # an approval stays open to an objection
    transitions=TRANSITIONS,
    create_who=(SUBJECT, HR, ADMIN, EXTERNAL),
    create_schema=AppraisalCreateSchema,
    prepare=prepare,
    references=(("employee_id", Employee, "employee"),),
    edit_schema=AppraisalEditSchema,
    revise=revise,
    audited=(
        "employee_id",
        "year",
        "period",
        "assessor_id",
        "approver_id",
        "self_assessment",
        "work_result_rating",
        "behaviour_rating",
        "feedback",
        "behaviour_feedback",
        "predicate",
        "predicate_rule",
    ),
)
