"""Training nomination (usulan peserta pelatihan / pengembangan kompetensi).

submit: the employee, or HR on their behalf · review: the direct supervisor
(atasan langsung) · approve: the agency's HR officer · complete: HR or the
learning platform.
"""

from __future__ import annotations

from workflow.capacity import release_seat_and_budget, take_seat_and_budget
from workflow.definition import Workflow, t
from workflow.jp import credit_training
from workflow.models.org import Employee
from workflow.models.programs import TrainingProgram
from workflow.models.records import TrainingNomination, TrainingNominationState
from workflow.parties import ADMIN, EXTERNAL, HR, SUBJECT, SUPERVISOR
from workflow.workflows import common
from workflow.workflows.common import StrictSchema, ref_id, text

State = TrainingNominationState


S = State

TRANSITIONS = [
    t(
        "submit",
        [S.draft, S.returned],
        S.submitted,
        [SUBJECT, HR, ADMIN, EXTERNAL],
        inbox=(SUBJECT,),
    ),
    *common.review_and_approval(SUPERVISOR, HR, approve={"effects": (take_seat_and_budget,)}),
    t(
        "withdraw",
        [S.draft, S.submitted, S.returned, S.reviewed, S.approved],
        S.withdrawn,
        [SUBJECT, HR, ADMIN],
        effects=(release_seat_and_budget,),
    ),
    t("complete", S.approved, S.completed, [HR, ADMIN, EXTERNAL], effects=(credit_training,)),
]


class TrainingNominationCreateSchema(StrictSchema):
    employee_id = ref_id()
    program_id = ref_id()
    justification = text(metadata={"description": "Why this training (alasan pengusulan)"})


class TrainingNominationEditSchema(StrictSchema):
    justification = text(metadata={"description": "Why this training (alasan pengusulan)"})


def prepare(session, data: dict, actor=None) -> dict:
    """Check the references and derive the owning agency.

    Nobody names the reviewer: it is the employee's direct superior (or their Plt/Plh)
    at the time of the review, from the org chart (``parties.SUPERVISOR``).
    """
    employee = common.get_or_invalid(
        session, Employee, data["employee_id"], "employee_id", "employee"
    )
    common.get_or_invalid(
        session, TrainingProgram, data["program_id"], "program_id", "training program"
    )
    return {**data, "agency_id": employee.agency_id}


WORKFLOW = Workflow(
    name="training_nomination",
    title="Training nomination",
    states=State,
    model=TrainingNomination,
    initial=S.draft,
    final=frozenset({S.completed, S.rejected, S.withdrawn}),
    transitions=TRANSITIONS,
    create_who=(SUBJECT, HR, ADMIN),
    create_schema=TrainingNominationCreateSchema,
    prepare=prepare,
    named=(("employee_id", Employee), ("program_id", TrainingProgram)),
    references=(("employee_id", Employee, "employee"),),
    edit_schema=TrainingNominationEditSchema,
    revise=common.apply,
    audited=("employee_id", "program_id", "justification", "committed_cost", "budget_year"),
)
