"""All models, importable from one place."""

from workflow.models.accounts import (
    ROLE_DESCRIPTIONS,
    ApiToken,
    Role,
    RoleName,
    User,
    user_roles,
)
from workflow.models.audit import AuditEntry, OutboxEvent
from workflow.models.org import Agency, Employee, Unit
from workflow.models.programs import (
    DeliveryMode,
    DevelopmentBudget,
    DevelopmentForm,
    JpLedgerEntry,
    TrainingProgram,
)
from workflow.models.records import Appraisal, MentoringAssignment, TrainingNomination
from workflow.models.requests import IdempotentRequest

__all__ = [
    "ROLE_DESCRIPTIONS",
    "Agency",
    "ApiToken",
    "Appraisal",
    "AuditEntry",
    "DeliveryMode",
    "DevelopmentBudget",
    "DevelopmentForm",
    "Employee",
    "IdempotentRequest",
    "JpLedgerEntry",
    "MentoringAssignment",
    "OutboxEvent",
    "Role",
    "RoleName",
    "TrainingNomination",
    "TrainingProgram",
    "Unit",
    "User",
    "user_roles",
]
