"""All models, importable from one place."""

from workflow.models.accounts import ROLE_DESCRIPTIONS, ApiToken, Role, RoleName, User, user_roles
from workflow.models.audit import (
    AuditCheckpoint,
    AuditCheckpointBucket,
    AuditEntry,
    AuditVerifyRun,
    OutboxEvent,
)
from workflow.models.changes import ChangeEntry
from workflow.models.delegations import ActingKind, Delegation
from workflow.models.followups import FollowUp, FollowUpKind
from workflow.models.notifications import (
    MailMode,
    MailStatus,
    Notification,
    NotificationDigest,
    NotificationSetting,
)
from workflow.models.org import Agency, Employee, Unit
from workflow.models.periods import PerformancePeriod, PeriodKind, period_code
from workflow.models.plans import (
    Aspect,
    Evidence,
    PlanFeedback,
    Realisation,
    RhkItem,
    RhkKind,
    SkpPlan,
)
from workflow.models.programs import (
    DeliveryMode,
    DevelopmentBudget,
    DevelopmentForm,
    JpLedgerEntry,
    TrainingProgram,
)
from workflow.models.ratings import OrganisationPredicate, OrganisationRating
from workflow.models.records import Appraisal, MentoringAssignment, TrainingNomination
from workflow.models.requests import IdempotentRequest
from workflow.models.sla import Holiday, SlaNotice
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
    "ActingKind",
    "Agency",
    "ApiToken",
    "Appraisal",
    "Aspect",
    "AuditCheckpoint",
    "AuditCheckpointBucket",
    "AuditEntry",
    "AuditVerifyRun",
    "ChangeEntry",
    "Delegation",
    "DeliveryAttempt",
    "DeliveryMode",
    "DeliveryStatus",
    "DevelopmentBudget",
    "DevelopmentForm",
    "Employee",
    "Evidence",
    "FollowUp",
    "FollowUpKind",
    "Holiday",
    "IdempotentRequest",
    "JpLedgerEntry",
    "MailMode",
    "MailStatus",
    "MentoringAssignment",
    "Notification",
    "NotificationDigest",
    "NotificationSetting",
    "OrganisationPredicate",
    "OrganisationRating",
    "OutboxDelivery",
    "OutboxEvent",
    "Outcome",
    "PerformancePeriod",
    "PeriodKind",
    "PlanFeedback",
    "Realisation",
    "RhkItem",
    "RhkKind",
    "Role",
    "RoleName",
    "SkpPlan",
    "SlaNotice",
    "Subscription",
    "TrainingNomination",
    "TrainingProgram",
    "Unit",
    "User",
    "WebhookClient",
    "WebhookReceipt",
    "period_code",
    "user_roles",
]
