"""The one policy: may this actor see, create, change or delete this object?

Every adapter (API, back office, CLI, webhook intake) and every command of the
core asks here; nothing else decides. The rules are a table, one row per model:

* workflow records are seen by the parties of their workflow (``visibility``);
  they are created, changed and moved only by the engine, and never deleted;
* reference data (agencies, units, employees, programs) is changed by admins and
  by the HR officers of the row's agency (agencies by admins only); employees'
  personal data (the NIP holds a birth date) is seen by their agency's HR, their
  supervisor and themselves;
* budgets, the JP ledger, delegations and follow-ups belong to one agency: its
  HR officers and admins see them;
* accounts, tokens, the logs and the webhooks are the admins' (a user sees their
  own account and tokens).

Outside what one may see, a refusal is ``NotFound``, worded as for a row that
does not exist, so ids of other agencies cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import false, or_, select
from sqlalchemy.orm import object_session

from workflow.errors import Forbidden, NotFound, term
from workflow.models import (
    Agency,
    ApiToken,
    Appraisal,
    AuditCheckpoint,
    AuditCheckpointBucket,
    AuditEntry,
    AuditVerifyRun,
    ChangeEntry,
    Delegation,
    DeliveryAttempt,
    DevelopmentBudget,
    Employee,
    Evidence,
    FollowUp,
    Holiday,
    IdempotentRequest,
    JpLedgerEntry,
    MentoringAssignment,
    Notification,
    NotificationDigest,
    NotificationSetting,
    OrganisationRating,
    OutboxDelivery,
    OutboxEvent,
    PerformancePeriod,
    PlanFeedback,
    Realisation,
    RhkItem,
    Role,
    RoleName,
    SkpPlan,
    SlaNotice,
    Subscription,
    TrainingNomination,
    TrainingProgram,
    Unit,
    User,
    WebhookClient,
    WebhookReceipt,
)
from workflow.visibility import agency_or_own
from workflow.visibility import can_see as _record_visible
from workflow.visibility import visible_clause as _record_clause


class Action(StrEnum):
    SEE = "see"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"


# -- who -------------------------------------------------------------------------------


def is_admin(actor) -> bool:
    return actor is not None and actor.has_role(RoleName.ADMIN)


def is_hr_of(actor, agency_id: int | None) -> bool:
    """``actor`` is an HR officer of ``agency_id`` (never of "no agency")."""
    return (
        actor is not None
        and agency_id is not None
        and actor.has_role(RoleName.HR_OFFICER)
        and actor.agency_id == agency_id
    )


def _staff(actor) -> bool:
    return actor is not None and actor.active


Rule = Callable[[object, object], bool]  # (actor, row) -> allowed


def nobody(actor, row) -> bool:
    return False


def anyone(actor, row) -> bool:
    return _staff(actor)


def admins(actor, row) -> bool:
    return is_admin(actor)


def agency_hr(actor, row) -> bool:
    """Admins, and the HR officers of the row's agency."""
    return is_admin(actor) or is_hr_of(actor, agency_of(row))


def _owner(actor, row) -> bool:
    return is_admin(actor) or (actor is not None and row.user_id == actor.id)


def _self(actor, row) -> bool:
    return is_admin(actor) or (actor is not None and row.id == actor.id)


def _employee_visible(actor, row) -> bool:
    if is_admin(actor):
        return True
    if actor.has_role(RoleName.EXTERNAL_SYSTEM):
        return actor.agency_id in (None, row.agency_id)
    return is_hr_of(actor, row.agency_id) or (
        actor.employee_id is not None and actor.employee_id in (row.id, row.supervisor_id)
    )


def _record(actor, row) -> bool:
    return _record_visible(row, actor)


@dataclass(frozen=True)
class ModelRule:
    """Who may see, create, change and delete rows of one model.

    ``scope`` is how a list of the model is narrowed for those who may not see
    all of it: ``agency`` (the row's own ``agency_id``), or a function of its own.
    """

    see: Rule
    create: Rule = nobody
    change: Rule = nobody
    delete: Rule = nobody
    scope: str | Callable | None = None

    def rule(self, action: Action) -> Rule:
        return getattr(self, action.value)


def _employee_scope(actor, model):
    if actor.has_role(RoleName.EXTERNAL_SYSTEM):
        return None if actor.agency_id is None else Employee.agency_id == actor.agency_id
    own = []
    if actor.employee_id is not None:
        own = [Employee.id == actor.employee_id, Employee.supervisor_id == actor.employee_id]
    if actor.has_role(RoleName.HR_OFFICER) and actor.agency_id is not None:
        return agency_or_own(object_session(actor), Employee, actor.agency_id, own)
    return or_(*own) if own else false()


def _ledger_scope(actor, model):
    if not actor.has_role(RoleName.HR_OFFICER) or actor.agency_id is None:
        return false()
    staff = select(Employee.id).where(Employee.agency_id == actor.agency_id)
    return JpLedgerEntry.employee_id.in_(staff)


def _ledger_hr(actor, row) -> bool:
    return is_admin(actor) or is_hr_of(actor, row.employee.agency_id)


def _agency_scope(actor, model):
    if not actor.has_role(RoleName.HR_OFFICER) or actor.agency_id is None:
        return false()
    return model.agency_id == actor.agency_id


def _owner_scope(actor, model):
    return model.user_id == actor.id


def _self_scope(actor, model):
    return model.id == actor.id


def _record_scope(actor, model):
    from workflow.workflows import workflow_for

    return _record_clause(workflow_for(model), actor)


def _of_plans_scope(actor, model):
    """The rows (RHK, realisations, feedback) of the plans ``actor`` may see."""
    from workflow.workflows import workflow_for

    clause = _record_clause(workflow_for("skp_plan"), actor)
    plans = select(SkpPlan.id)
    return model.plan_id.in_(plans if clause is None else plans.where(clause))


def _of_plan(actor, row) -> bool:
    return _record_visible(row.plan, actor)


def _realises(actor, row) -> bool:
    """The plan's employee, the agency's HR, admins, or an external system (e-Kinerja)."""
    from workflow.parties import EXTERNAL, HR, SUBJECT

    plan = row.plan
    return is_admin(actor) or any(p.holds(actor, plan) for p in (SUBJECT, HR, EXTERNAL))


def _assesses(actor, row) -> bool:
    """The plan's assessor (or their acting Plt/Plh), and admins; never the plan's own
    employee, even acting for their assessor."""
    from workflow.parties import ASSESSOR

    own = actor is not None and actor.employee_id == row.plan.employee_id
    return is_admin(actor) or (not own and ASSESSOR.holds(actor, row.plan))


def _evidence_visible(actor, row) -> bool:
    return _record_visible(row.realisation.plan, actor)


def _realisation_writer(actor, row) -> bool:
    return _realises(actor, row.realisation)


RECORD = ModelRule(see=_record, scope=_record_scope)
LOGS = ModelRule(see=admins)

RULES: dict[type, ModelRule] = {
    TrainingNomination: RECORD,
    MentoringAssignment: RECORD,
    Appraisal: RECORD,
    SkpPlan: RECORD,
    # An RHK is read with its plan (workflow.plans.cascade shows the chain above it).
    RhkItem: ModelRule(see=_of_plan, scope=_of_plans_scope),
    # Read with the plan; a realisation and its evidence are written by those who carry
    # out the plan, feedback by its assessor (workflow.realisation).
    Realisation: ModelRule(see=_of_plan, create=_realises, change=_realises, scope=_of_plans_scope),
    Evidence: ModelRule(see=_evidence_visible, create=_realisation_writer),
    PlanFeedback: ModelRule(see=_of_plan, create=_assesses, scope=_of_plans_scope),
    Agency: ModelRule(see=anyone, create=admins, change=admins),
    Unit: ModelRule(see=anyone, create=agency_hr, change=agency_hr),
    TrainingProgram: ModelRule(see=anyone, create=agency_hr, change=agency_hr),
    Employee: ModelRule(
        see=_employee_visible, create=agency_hr, change=agency_hr, scope=_employee_scope
    ),
    DevelopmentBudget: ModelRule(see=agency_hr, create=admins, change=admins, scope=_agency_scope),
    JpLedgerEntry: ModelRule(see=_ledger_hr, scope=_ledger_scope),
    FollowUp: ModelRule(see=agency_hr, scope=_agency_scope),
    Delegation: ModelRule(see=agency_hr, create=agency_hr, change=agency_hr, scope=_agency_scope),
    PerformancePeriod: ModelRule(
        see=agency_hr, create=agency_hr, change=agency_hr, scope=_agency_scope
    ),
    Holiday: ModelRule(see=anyone, create=admins, change=admins, delete=admins),
    OrganisationRating: ModelRule(
        see=agency_hr, create=agency_hr, change=agency_hr, scope=_agency_scope
    ),
    User: ModelRule(see=_self, create=admins, change=admins, scope=_self_scope),
    Role: ModelRule(see=admins),
    ApiToken: ModelRule(see=_owner, create=_owner, change=_owner, scope=_owner_scope),
    # What one is told, and how one wishes it: one's own, nobody else's (not an admin's).
    Notification: ModelRule(see=_owner, change=_owner, scope=_owner_scope),
    NotificationSetting: ModelRule(see=_owner, create=_owner, change=_owner, scope=_owner_scope),
    NotificationDigest: ModelRule(see=_owner, scope=_owner_scope),
    WebhookClient: ModelRule(see=admins, create=admins, change=admins),
    Subscription: ModelRule(see=admins, create=admins, change=admins),
    OutboxDelivery: ModelRule(see=admins, change=admins),
    DeliveryAttempt: LOGS,
    WebhookReceipt: LOGS,
    OutboxEvent: LOGS,
    AuditEntry: LOGS,
    AuditCheckpoint: LOGS,
    AuditCheckpointBucket: LOGS,
    AuditVerifyRun: LOGS,
    ChangeEntry: LOGS,
    SlaNotice: LOGS,
    IdempotentRequest: LOGS,
}


def rule_of(model) -> ModelRule:
    """The rule of ``model``; a model without one is nobody's to see (KeyError in tests)."""
    try:
        return RULES[model]
    except KeyError:
        raise LookupError(f"the policy has no rule for {model.__name__}") from None


# -- asking ----------------------------------------------------------------------------


def agency_of(row) -> int | None:
    """The agency a row belongs to (an agency's own id for an agency; None: national)."""
    if isinstance(row, Agency):
        return row.id
    return getattr(row, "agency_id", None)


def can_see(actor, row) -> bool:
    """Whether ``actor`` may see ``row``."""
    return _staff(actor) and rule_of(type(row)).see(actor, row)


def may(actor, action: Action, row) -> bool:
    """Whether ``actor`` may do ``action`` to ``row`` (for CREATE, the row as it would be)."""
    if not _staff(actor):
        return False
    rule = rule_of(type(row))
    if action is not Action.CREATE and not rule.see(actor, row):
        return False
    return rule.rule(action)(actor, row)


def check(actor, action: Action, row, *, label: str | None = None) -> None:
    """Refuse unless ``actor`` may do ``action`` to ``row``.

    A row the actor may not see is NotFound (as if it did not exist); one they
    see but may not change is Forbidden.
    """
    if may(actor, action, row):
        return
    if action is not Action.CREATE and not can_see(actor, row):
        raise not_found(row, label)
    what = {"what": term("model", label or describe(type(row)))}
    if action is Action.DELETE:
        raise Forbidden("you may not delete this %(what)s", what)
    if action is Action.CREATE and agency_of(row) is not None and not is_admin(actor):
        raise Forbidden("you may only add a %(what)s to your own agency", what)
    raise Forbidden(
        "you may not %(action)s this %(what)s", what | {"action": term("action", action.value)}
    )


def not_found(row, label: str | None = None) -> NotFound:
    key = getattr(row, "id", None)
    return NotFound(
        "%(what)s %(id)s does not exist",
        {"what": term("model", label or describe(type(row))), "id": key},
    )


def describe(model) -> str:
    return model.__tablename__.replace("_", " ").removesuffix("s")


def scope(actor, model):
    """A WHERE clause of the rows of ``model`` that ``actor`` may see; None means all."""
    if not _staff(actor):
        return false()
    rule = rule_of(model)
    if rule.see in (anyone,) or is_admin(actor):
        return None
    if rule.see is admins:
        return false()
    if rule.scope is None:
        raise LookupError(f"the policy has no list scope for {model.__name__}")
    return rule.scope(actor, model)
