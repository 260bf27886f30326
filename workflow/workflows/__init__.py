"""The registry of workflows, each declared with its model in a module of its own."""

from __future__ import annotations

from workflow.definition import Workflow
from workflow.errors import NotFound
from workflow.workflows import appraisal, mentoring_assignment, skp_plan, training_nomination

WORKFLOWS: dict[str, Workflow] = {
    wf.name: wf
    for wf in (
        training_nomination.WORKFLOW,
        mentoring_assignment.WORKFLOW,
        appraisal.WORKFLOW,
        skp_plan.WORKFLOW,
    )
}


def workflow_for(name_or_record) -> Workflow:
    """The workflow of a name (``"appraisal"``) or of a record instance or class."""
    name = name_or_record if isinstance(name_or_record, str) else name_or_record.workflow_name
    try:
        return WORKFLOWS[name]
    except KeyError:
        raise NotFound("unknown workflow %(name)r", {"name": name}) from None
