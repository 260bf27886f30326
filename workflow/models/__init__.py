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
from workflow.models.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    OutboxDelivery,
    Outcome,
    Subscription,
    WebhookClient,
    WebhookReceipt,
)

__all__ = [
    "ROLE_DESCRIPTIONS",
    "Agency",
    "ApiToken",
    "Appraisal",
    "AuditEntry",
    "DeliveryAttempt",
    "DeliveryMode",
    "DeliveryStatus",
    "DevelopmentBudget",
    "DevelopmentForm",
    "Employee",
    "IdempotentRequest",
    "JpLedgerEntry",
    "MentoringAssignment",
    "OutboxDelivery",
    "OutboxEvent",
    "Outcome",
    "Role",
    "RoleName",
    "Subscription",
    "TrainingNomination",
    "TrainingProgram",
    "Unit",
    "User",
    "WebhookClient",
    "WebhookReceipt",
    "user_roles",
]
