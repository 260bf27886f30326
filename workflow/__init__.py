"""Alur's core: models, workflow definitions, the engine, domain rules.

Nothing here imports Flask-Admin or HTTP code; adapters (API, back office,
webhooks, CLI) call into this package.
"""

from workflow import reference
from workflow.engine import (
    allowed_triggers,
    create,
    edit,
    fire,
    fire_by_id,
    fire_many,
    get_record,
    inbox,
)
from workflow.errors import (
    Conflict,
    Forbidden,
    InvalidPayload,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.workflows import WORKFLOWS, workflow_for

__all__ = [
    "WORKFLOWS",
    "Conflict",
    "Forbidden",
    "InvalidPayload",
    "NotFound",
    "StaleVersion",
    "TransitionNotAllowed",
    "WorkflowError",
    "allowed_triggers",
    "create",
    "edit",
    "fire",
    "fire_by_id",
    "fire_many",
    "get_record",
    "inbox",
    "reference",
    "workflow_for",
]
