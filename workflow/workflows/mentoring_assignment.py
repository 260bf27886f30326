"""Mentoring assignment (penugasan mentoring/coaching): a senior ASN guides a junior one.

submit: HR or the mentee's supervisor · review: the proposed mentor accepts ·
approve: the HR officer · start/complete: the mentor or HR.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from workflow.definition import Workflow, t
from workflow.errors import InvalidPayload
from workflow.jp import credit_mentoring
from workflow.mentoring import check_senior, guard_approve, record_completion
from workflow.models.org import Employee
from workflow.models.records import MentoringAssignment, MentoringAssignmentState
from workflow.parties import ADMIN, EXTERNAL, HR, MENTOR, SUPERVISOR
from workflow.workflows import common, officials
from workflow.workflows.common import StrictSchema, ref_id, text

State = MentoringAssignmentState


S = State


class CompletionSchema(StrictSchema):
    """The coaching form's outcome (PermenPANRB 6/2022)."""

    coaching_feedback = text(required=True, metadata={"description": "Umpan balik coaching"})
    competency_score = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "Evaluasi kompetensi, 1 (sangat kurang) to 5 (sangat baik)"},
    )


TRANSITIONS = [
    t("submit", [S.draft, S.returned], S.submitted, [HR, SUPERVISOR, ADMIN], inbox=(SUPERVISOR,)),
    # The proposed mentor accepts (the review); HR approves.
    *common.review_and_approval(MENTOR, HR, approve={"guards": (guard_approve,)}),
    t(
        "withdraw",
        [S.draft, S.submitted, S.returned, S.reviewed, S.approved],
        S.withdrawn,
        [HR, SUPERVISOR, ADMIN],
    ),
    t("start", S.approved, S.active, [MENTOR, HR, ADMIN], inbox=(MENTOR,)),
    t(
        "complete",
        S.active,
        S.completed,
        [MENTOR, HR, ADMIN, EXTERNAL],
        payload=CompletionSchema,
        effects=(record_completion, credit_mentoring),
    ),
]


class MentoringAssignmentCreateSchema(StrictSchema):
    mentor_id = ref_id(
        metadata={
            "description": "Proposed by HR or the mentee's supervisor; of the mentee's agency"
        }
    )
    mentee_id = ref_id()
    goals = text(required=True, metadata={"description": "Development goals (tujuan)"})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    jp = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=200),
        metadata={"description": "Jam pelajaran credited on completion"},
    )

    cross_agency = officials.cross_agency_field()

    @validates_schema
    def _period(self, data, **kwargs):
        if data["end_date"] < data["start_date"]:
            raise ValidationError("Must not be before start_date.", "end_date")


class MentoringAssignmentEditSchema(StrictSchema):
    goals = text(metadata={"description": "Development goals (tujuan)"})
    start_date = fields.Date()
    end_date = fields.Date()
    jp = fields.Integer(strict=True, validate=validate.Range(min=1, max=200))


def revise(session, record, values: dict, actor=None) -> None:
    """Change the plan; the period must stay in order."""
    start = values.get("start_date", record.start_date)
    end = values.get("end_date", record.end_date)
    if end < start:
        raise InvalidPayload(
            "the period ends before it starts", {"end_date": ["Must not be before start_date."]}
        )
    common.apply(session, record, values)


def not_own_mentor(data: dict) -> None:
    """Nobody mentors themselves (checked before either person is looked up)."""
    if data["mentor_id"] == data["mentee_id"]:
        raise InvalidPayload(
            "the mentor cannot be the mentee", {"mentor_id": ["Must differ from mentee_id."]}
        )


def prepare(session, data: dict, actor=None) -> dict:
    """Check both people, and the mentor is senior and of the mentee's agency, which owns it.

    The mentor is proposed by HR or the mentee's supervisor (the creators): the mentee
    never chooses who accepts their mentoring.
    """
    mentee = common.get_or_invalid(session, Employee, data["mentee_id"], "mentee_id", "employee")
    cross = officials.check_cross_agency(actor, data)
    mentor = officials.member(
        session, "mentor_id", data["mentor_id"], mentee.agency_id, cross=cross
    )
    check_senior(mentor, mentee)
    return {**officials.without_extras(data), "agency_id": mentee.agency_id}


WORKFLOW = Workflow(
    name="mentoring_assignment",
    title="Mentoring assignment",
    states=State,
    model=MentoringAssignment,
    initial=S.draft,
    final=frozenset({S.completed, S.rejected, S.withdrawn}),
    transitions=TRANSITIONS,
    create_who=(HR, SUPERVISOR, ADMIN),
    create_schema=MentoringAssignmentCreateSchema,
    check=not_own_mentor,
    prepare=prepare,
    references=(("mentee_id", Employee, "employee"),),
    named=(("mentee_id", Employee), ("mentor_id", Employee)),
    edit_schema=MentoringAssignmentEditSchema,
    revise=revise,
    audited=(
        "mentor_id",
        "mentee_id",
        "goals",
        "start_date",
        "end_date",
        "jp",
        "coaching_feedback",
        "competency_score",
    ),
)
