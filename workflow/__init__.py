"""Alur's core: models, workflow definitions, the engine, domain rules.

Nothing here imports Flask-Admin or HTTP code; adapters (API, back office,
webhooks, CLI) call into this package.
"""

from workflow import reference
from workflow.bulk import take_many
from workflow.engine import Key, Step, create, edit, fire, get_record, take
from workflow.errors import (
    Conflict,
    Forbidden,
    InvalidPayload,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.inbox import inbox
from workflow.rights import allowed_triggers
from workflow.workflows import WORKFLOWS, workflow_for

__all__ = [
    "WORKFLOWS",
    "Conflict",
    "Forbidden",
    "InvalidPayload",
    "Key",
    "NotFound",
    "StaleVersion",
    "Step",
    "TransitionNotAllowed",
    "WorkflowError",
    "allowed_triggers",
    "create",
    "edit",
    "fire",
    "get_record",
    "inbox",
    "reference",
    "take",
    "take_many",
    "workflow_for",
]
