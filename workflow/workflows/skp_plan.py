"""The SKP plan (*Sasaran Kinerja Pegawai*): what an employee will deliver in a year.

submit: the employee (or the agency's HR officer, who enters the agency head's) sends
the plan, each main RHK supporting an RHK of the assessor's agreed plan · approve: the
assessor (pejabat penilai kinerja) agrees it and states the leader's expectations of
each BerAKHLAK value · return: sent back for revision, with a reason · withdraw.
PermenPANRB 6/2022: the plan is agreed between the employee and their assessor, so no
second official reviews it; the agency head's is agreed above the agency (recorded by
an admin).
"""

from __future__ import annotations

from marshmallow import fields, validate

from workflow import plans
from workflow.definition import Workflow, t
from workflow.errors import InvalidPayload
from workflow.models.org import Employee
from workflow.models.plans import Aspect, RhkKind, SkpPlan, SkpPlanState
from workflow.parties import ADMIN, ASSESSOR, EXTERNAL, HR, SUBJECT
from workflow.predicate import CoreValue
from workflow.workflows import common, officials
from workflow.workflows.common import SOD_REVIEW, StrictSchema, ref_id, text

S = SkpPlanState
MAX_RHK = 50
MAX_INDICATORS = 10


class IndicatorSchema(StrictSchema):
    aspect = fields.String(
        required=True,
        validate=validate.OneOf([a.value for a in Aspect]),
        metadata={"description": "kuantitas, kualitas, waktu or biaya"},
    )
    indicator = text(required=True, max_length=500, metadata={"description": "Indikator"})
    target = text(required=True, max_length=200, metadata={"description": "Target"})


class RhkSchema(StrictSchema):
    kind = fields.String(
        load_default=RhkKind.MAIN.value,
        validate=validate.OneOf([k.value for k in RhkKind]),
        metadata={"description": "utama (main) or tambahan (additional)"},
    )
    text = common.text(
        required=True, max_length=2000, metadata={"description": "Rencana hasil kerja"}
    )
    parent_id = ref_id(
        required=False,
        allow_none=True,
        metadata={
            "description": "A main RHK: the RHK of the assessor's agreed plan for the same year "
            "that it supports"
        },
    )
    agency_target = common.text(
        max_length=2000,
        allow_none=True,
        metadata={"description": "The agency head's main RHK: the agency target it serves"},
    )
    indicators = fields.List(
        fields.Nested(IndicatorSchema),
        load_default=list,
        validate=validate.Length(max=MAX_INDICATORS),
    )


def rhk_list(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(RhkSchema),
        validate=validate.Length(max=MAX_RHK),
        metadata={"description": "The plan's RHK, in order; an edit replaces them all"},
        **kwargs,
    )


class SkpPlanCreateSchema(StrictSchema):
    employee_id = ref_id()
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    assessor_id = ref_id(
        required=False,
        metadata={
            "description": "HR officers and admins only, with a reason. Default: the "
            "employee's direct superior (pejabat penilai kinerja)"
        },
    )
    items = rhk_list(load_default=list)
    reason = officials.reason_field()
    cross_agency = officials.cross_agency_field()


class SkpPlanEditSchema(StrictSchema):
    assessor_id = ref_id(required=False, metadata={"description": "Pejabat penilai (HR, admin)"})
    items = rhk_list()
    reason = officials.reason_field()
    cross_agency = officials.cross_agency_field()


class SkpPlanApproveSchema(StrictSchema):
    expectations = fields.Dict(
        keys=fields.String(validate=validate.OneOf([v.value for v in CoreValue])),
        values=fields.String(validate=validate.Length(min=1, max=2000)),
        load_default=dict,
        metadata={
            "description": "The leader's expectations of each BerAKHLAK value "
            "(ekspektasi pimpinan), by value"
        },
    )


def record_expectations(ctx) -> None:
    notes = {k: v.strip() for k, v in ctx.payload.get("expectations", {}).items() if v.strip()}
    ctx.record.expectations = {v.value: notes[v.value] for v in CoreValue if v in notes} or None


TRANSITIONS = [
    t(
        "submit",
        [S.draft, S.returned],
        S.submitted,
        [SUBJECT, HR, ADMIN, EXTERNAL],
        guards=(plans.check_cascade,),
        inbox=(SUBJECT,),
    ),
    t(
        "approve",
        S.submitted,
        S.approved,
        [ASSESSOR, ADMIN],
        payload=SkpPlanApproveSchema,
        guards=(plans.check_cascade,),
        effects=(record_expectations,),
        marks_reviewer=True,
        inbox=(ASSESSOR,),
        **SOD_REVIEW,
    ),
    t("return", S.submitted, S.returned, [ASSESSOR, ADMIN], needs_comment=True, **SOD_REVIEW),
    t("withdraw", [S.draft, S.submitted, S.returned], S.withdrawn, [SUBJECT, HR, ADMIN]),
]


def _assessor(session, actor, data: dict, employee: Employee, current: int | None) -> int | None:
    given = officials.check_naming(
        actor, data, ("assessor_id",), employee.agency_id, subject_id=employee.id
    )
    cross = officials.check_cross_agency(actor, data)
    if "assessor_id" not in given:
        return current
    person = officials.member(
        session, "assessor_id", given["assessor_id"], employee.agency_id, cross=cross
    )
    if person.id == employee.id:
        raise InvalidPayload(
            "nobody agrees their own plan",
            {"assessor_id": ["The assessor must be someone other than the employee."]},
        )
    return person.id


def prepare(session, data: dict, actor=None) -> dict:
    """The assessor from the chain (none for the agency head) unless HR names one; the RHK
    checked against the assessor's agreed plan."""
    employee = common.get_or_invalid(
        session, Employee, data["employee_id"], "employee_id", "employee"
    )
    assessor_id = _assessor(session, actor, data, employee, employee.supervisor_id)
    items = plans.rows(session, employee, assessor_id, data["year"], data.get("items", []))
    return {
        "employee_id": employee.id,
        "year": data["year"],
        "assessor_id": assessor_id,
        "agency_id": employee.agency_id,
        "items": items,  # their digest once they have ids (plans.settle)
    }


def revise(session, record, values: dict, actor=None) -> None:
    """Another assessor (HR, admins, with a reason) and the RHK anew, while draft or returned."""
    record.assessor_id = _assessor(session, actor, values, record.employee, record.assessor_id)
    if "items" in values:
        items = plans.rows(
            session, record.employee, record.assessor_id, record.year, values["items"]
        )
        plans.replace(record, items)


WORKFLOW = Workflow(
    name="skp_plan",
    title="SKP plan",
    states=S,
    model=SkpPlan,
    initial=S.draft,
    final=frozenset({S.withdrawn}),
    transitions=TRANSITIONS,
    create_who=(SUBJECT, HR, ADMIN, EXTERNAL),
    create_schema=SkpPlanCreateSchema,
    prepare=prepare,
    references=(("employee_id", Employee, "employee"),),
    edit_schema=SkpPlanEditSchema,
    revise=revise,
    audited=("employee_id", "year", "assessor_id", "expectations", "rhk_digest"),
    vouched=plans.unvouched,
    settle=plans.settle,
    answered=plans.as_dicts,
)
