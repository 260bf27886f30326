"""Who is told of what: one table, next to the workflows, read when the outbox fans out.

A step writes its outbox event in its own transaction; the worker's fan-out turns each
event into the notifications the table names, in the transaction that marks the event
fanned out. So a notification exists exactly when its event was fanned out: none is
lost (the event is the step's) and none is made twice (``(event, user)`` is unique).
The step itself pays nothing for it.

A Plt/Plh receives what their principal would (BKN circular 1/SE/I/2021): the acting
official is told beside the official.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.db import among, insert_many_once, local_today, utcnow, write_rows
from workflow.models import (
    Delegation,
    MailMode,
    MailStatus,
    Notification,
    NotificationSetting,
    OutboxEvent,
    Role,
    RoleName,
    Subscription,
    User,
)
from workflow.webhooks import wants
from workflow.workflows import WORKFLOWS

ANY = "*"
RELAYED = "notification.created"  # the event each notification is relayed as
# SLA events (``workflow.sla``) name the wait, not a state entered.
SLA_KINDS = ("due_soon", "escalated")


@dataclass(frozen=True)
class Rule:
    """Entering ``state`` of ``workflow`` tells ``to`` (recipients, below) of ``kind``."""

    workflow: str
    state: str
    kind: str
    to: tuple[str, ...]


# Recipients: ``next`` — the officials whose step the record now waits for (its inbox);
# ``subject`` — whom the record is about; ``submitter`` — who made it; ``mentor``;
# ``superior`` — the official an escalation names.
RULES: tuple[Rule, ...] = (
    # PermenPANRB 6/2022: the assessor rates, the assessor's superior approves; an
    # objection (keberatan) goes to the assessor's superior.
    Rule("appraisal", "submitted", "waiting", ("next",)),
    Rule("appraisal", "reviewed", "waiting", ("next",)),
    Rule("appraisal", "returned", "returned", ("subject",)),
    Rule("appraisal", "approved", "decided", ("subject", "submitter")),
    Rule("appraisal", "rejected", "decided", ("subject", "submitter")),
    Rule("appraisal", "appealed", "waiting", ("next",)),
    Rule("training_nomination", "submitted", "waiting", ("next",)),
    Rule("training_nomination", "reviewed", "waiting", ("next",)),
    Rule("training_nomination", "returned", "returned", ("subject", "submitter")),
    Rule("training_nomination", "approved", "decided", ("subject", "submitter")),
    Rule("training_nomination", "rejected", "decided", ("subject", "submitter")),
    Rule("mentoring_assignment", "submitted", "waiting", ("next", "mentor")),
    Rule("mentoring_assignment", "reviewed", "waiting", ("next",)),
    Rule("mentoring_assignment", "returned", "returned", ("submitter",)),
    Rule("mentoring_assignment", "approved", "decided", ("subject", "submitter", "mentor")),
    Rule("mentoring_assignment", "rejected", "decided", ("subject", "submitter", "mentor")),
    # The SKP plan is agreed between the employee and their assessor.
    Rule("skp_plan", "submitted", "waiting", ("next",)),
    Rule("skp_plan", "returned", "returned", ("subject", "submitter")),
    Rule("skp_plan", "approved", "decided", ("subject", "submitter")),
    Rule(ANY, "due_soon", "due_soon", ("next",)),
    Rule(ANY, "escalated", "escalated", ("next", "superior")),
)
# Told outside the table: an acting appointment (workflow.delegation); to the admins, a
# webhook delivery that failed for good (workflow.outbox) and an audit checkpoint that could
# not be written or a verify that found problems (workflow.checkpoints).
ADMIN_KINDS = ("dead_delivery", "audit_failed")
KINDS = ("waiting", "returned", "decided", "due_soon", "escalated", "acting", *ADMIN_KINDS)


def rules_for(workflow: str, state: str) -> list[Rule]:
    """The table's rows for entering ``state`` of ``workflow``."""
    return [r for r in RULES if r.workflow in (workflow, ANY) and r.state == state]


@dataclass(frozen=True)
class Told:
    """One notification to write: whom, of what, about which record."""

    user_id: int
    kind: str
    workflow: str | None
    record_id: int | None
    state: str | None
    event_id: str


def from_events(
    session: Session, events: Iterable, now: datetime, subscriptions: list | None = None
) -> int:
    """Write the notifications of fanned-out ``events`` (rows with ``event_id``, ``type``,
    ``payload``), each relayed as an event while a subscription names them (``write``;
    ``subscriptions``: the active ones, if the caller has read them); return how many.

    A batch of events asks the database a few questions in all, not a few for each: its
    records per workflow, the acting officials and the accounts of everyone named.
    """
    wanted = [w for event in events if (w := _wanted(event)) is not None]
    records: dict[tuple[str, int], object] = {}
    for name in {w.workflow for w in wanted}:
        for record in _records(
            session, WORKFLOWS[name].model, [w for w in wanted if w.workflow == name]
        ):
            records[(name, record.id)] = record
    named = []
    for w in wanted:
        record = records.get((w.workflow, w.record_id))
        if record is not None:
            named.append((w, record, _named(w, record)))
    everyone = {
        e for _w, _r, (employees, _users) in named for ids in employees.values() for e in ids
    }
    acting = _acting_for(session, everyone)
    accounts = _accounts_of(session, everyone | {d for ds in acting.values() for d in ds})
    told = []
    for w, record, (employees, users) in named:
        for kind, ids in employees.items():
            ids = ids | {d for principal in ids for d in acting.get(principal, ())}
            users.setdefault(kind, set()).update(u for e in ids for u in accounts.get(e, ()))
        seen: set[int] = set()  # an event tells a person once, of its first kind
        for rule in w.rules:
            for user_id in sorted(users.get(rule.kind, ())):
                if user_id == w.actor or user_id in seen:
                    continue  # nobody is told of their own step
                seen.add(user_id)
                told.append(Told(user_id, rule.kind, w.workflow, record.id, w.state, w.event_id))
    return write(session, told, now, subscriptions)


def tell(session: Session, user_ids, kind: str, cause: str, *, about: tuple = (None, None, None)):
    """Tell ``user_ids`` of ``kind`` in the caller's transaction, once per ``cause`` (a
    stable key of what happened); ``about`` is (workflow, record id, state)."""
    workflow, record_id, state = about
    told = [Told(u, kind, workflow, record_id, state, cause) for u in sorted(set(user_ids))]
    return write(session, told, utcnow())


def tell_admins(session: Session, kind: str, cause: str, *, about: tuple = (None, None, None)):
    """Tell the active admins of ``kind`` in the caller's transaction; a failure seen again
    on the next try (the same ``cause``) is not told twice (``write`` skips it)."""
    return tell(session, admins(session), kind, cause, about=about)


def admins(session: Session) -> list[int]:
    """The active admins (told of what fails in the machinery: a dead delivery)."""
    return session.scalars(
        select(User.id).join(User.roles).where(Role.name == RoleName.ADMIN, User.active)
    ).all()


# Notifications written per statement (ten columns each, within every driver's limit).
WRITE_BATCH = 1000


def _relayed(session: Session, subscriptions: list | None) -> bool:
    """Whether an active subscription (of ``subscriptions``, or read now) names
    ``notification.created``. With none, the events would be written for nobody and fanned
    out to nobody (``*`` never hears of them, ``webhooks.wants``). Decided as the
    notifications are written: a subscription resumed or widened later hears of those
    written after."""
    if subscriptions is None:
        subscriptions = session.scalars(select(Subscription).where(Subscription.active))
    return any(wants(subscription, RELAYED) for subscription in subscriptions)


def write(
    session: Session, told: list[Told], now: datetime, subscriptions: list | None = None
) -> int:
    """Insert ``told`` as notifications (each user's mail mode decides its mail), but none
    already written for its event; return how many were written. ``subscriptions``: the
    active ones, if the caller has read them in its transaction."""
    if not told:
        return 0
    modes = _modes(session, {t.user_id for t in told})
    addresses = dict(
        session.execute(
            select(User.id, User.email).where(among(session, User.id, {t.user_id for t in told}))
        ).all()
    )
    rows = []
    for t in told:
        mode = modes.get((t.user_id, t.kind), MailMode.NOW)
        has_address = "@" in (addresses.get(t.user_id) or "")
        status = (
            MailStatus.NONE
            if mode == MailMode.OFF or not has_address
            else MailStatus.DIGEST
            if mode == MailMode.DIGEST
            else MailStatus.PENDING
        )
        rows.append(
            {
                "user_id": t.user_id,
                "kind": t.kind,
                "workflow": t.workflow,
                "record_id": t.record_id,
                "state": t.state,
                "event_id": t.event_id,
                "created_at": now,
                "mail_status": status,
                "attempts": 0,
                "next_attempt_at": now if status == MailStatus.PENDING else None,
            }
        )
    # An event fanned out again (by hand, or a worker that lost its lease mid-way) tells
    # nobody twice: (event_id, user_id) is unique, and only what was written is relayed.
    written: set[tuple[int, str]] = set()
    for start in range(0, len(rows), WRITE_BATCH):
        written.update(
            insert_many_once(
                session,
                Notification,
                rows[start : start + WRITE_BATCH],
                unique=["event_id", "user_id"],
                returning=(Notification.user_id, Notification.event_id),
            )
        )
    told = [t for t in told if (t.user_id, t.event_id) in written]
    if not told:
        return 0
    if not _relayed(session, subscriptions):
        return len(told)
    # Each is also an event, so an agency's SMS or WhatsApp gateway can relay it.
    write_rows(
        session,
        OutboxEvent.__table__,
        [
            {
                "event_id": f"evt_{uuid.uuid4().hex}",
                "type": RELAYED,
                "created_at": now,
                "payload": {
                    "recipient": t.user_id,
                    "kind": t.kind,
                    "workflow": t.workflow,
                    "record": t.record_id,
                    "state": t.state,
                    "cause": t.event_id,
                },
            }
            for t in told
        ],
    )
    return len(told)


def _records(session: Session, model, wanted: list[_Wanted]) -> list:
    """The records ``wanted`` name, those told to whoever is next with their subject: the
    supervisor party reads the subject's. The others (a decision tells the employee) are
    loaded alone, which in a season of approvals is most of them."""
    with_subject = {w.record_id for w in wanted if w.tells_next}
    alone = {w.record_id for w in wanted} - with_subject
    loaded = []
    for ids, options in ((with_subject, _with_subject(model)), (alone, ())):
        if ids:
            query = select(model).where(among(session, model.id, ids)).options(*options)
            loaded += session.scalars(query).all()
    return loaded


def _with_subject(model) -> list:
    """Load the record's subject with it."""
    synonym = model.__mapper__.synonyms.get("subject")
    name = synonym.name if synonym is not None else "subject"
    if name not in model.__mapper__.relationships:
        return []
    return [selectinload(getattr(model, name))]


@dataclass(frozen=True)
class _Wanted:
    """A record's event that the table has rows for."""

    event_id: str
    workflow: str
    record_id: int
    state: str
    rules: tuple[Rule, ...]
    payload: dict
    actor: int | None

    @property
    def tells_next(self) -> bool:
        """Whether it tells whoever's step the record waits for (an official)."""
        return any("next" in rule.to for rule in self.rules)


def _wanted(event) -> _Wanted | None:
    workflow, _, what = event.type.partition(".")
    payload = event.payload or {}
    if workflow not in WORKFLOWS or not isinstance(payload.get("id"), int):
        return None  # not a record's event (an audit checkpoint, a notification)
    state = payload.get("state") if what in SLA_KINDS else payload.get("to")
    rules = rules_for(workflow, what)
    if not rules or state is None:
        return None
    actor = payload.get("actor")
    return _Wanted(
        event.event_id,
        workflow,
        payload["id"],
        state,
        tuple(rules),
        payload,
        actor if isinstance(actor, int) else None,
    )


def _named(w: _Wanted, record) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Whom the table's rows name for ``w``: employees, and users (the submitter), by kind."""
    wf = WORKFLOWS[w.workflow]
    employees: dict[str, set[int]] = {}
    users: dict[str, set[int]] = {}
    for rule in w.rules:
        for to in rule.to:
            if to == "submitter":
                if record.created_by_id is not None:
                    users.setdefault(rule.kind, set()).add(record.created_by_id)
                continue
            employees.setdefault(rule.kind, set()).update(
                _employees(wf, record, w.state, to, w.payload)
            )
    return employees, users


def _employees(wf, record, state: str, to: str, payload: dict) -> set[int]:
    if to == "next":  # whoever's step it waits for: an official, or the employee's own
        return {
            official
            for spec in wf.edges_from(state)
            for party in spec.inbox
            if (
                official := party.principal(record)
                if party.principal is not None
                else record.subject_id
                if party.name == "subject"
                else None
            )
        }
    if to == "subject":
        return {record.subject_id}
    if to == "mentor":
        return {record.mentor_id} if getattr(record, "mentor_id", None) else set()
    if to == "superior":
        escalated = payload.get("escalated_to")
        return {escalated} if isinstance(escalated, int) else set()
    raise ValueError(f"no recipient {to!r}")


def _acting_for(session: Session, principals: set[int]) -> dict[int, list[int]]:
    """The acting officials (Plt/Plh) of ``principals`` today."""
    if not principals:
        return {}
    today = local_today()
    rows = session.execute(
        select(Delegation.principal_id, Delegation.delegate_id).where(
            among(session, Delegation.principal_id, principals),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
    )
    acting: dict[int, list[int]] = {}
    for principal, delegate in rows:
        acting.setdefault(principal, []).append(delegate)
    return acting


def _accounts_of(session: Session, employee_ids: set[int]) -> dict[int, list[int]]:
    """The active accounts of ``employee_ids``: employee id → user ids."""
    if not employee_ids:
        return {}
    accounts: dict[int, list[int]] = {}
    for user_id, employee_id in session.execute(
        select(User.id, User.employee_id).where(
            among(session, User.employee_id, employee_ids), User.active
        )
    ):
        accounts.setdefault(employee_id, []).append(user_id)
    return accounts


def _modes(session: Session, user_ids: set[int]) -> dict[tuple[int, str], str]:
    rows = session.execute(
        select(
            NotificationSetting.user_id, NotificationSetting.kind, NotificationSetting.mode
        ).where(among(session, NotificationSetting.user_id, user_ids))
    )
    return {(user_id, kind): mode for user_id, kind, mode in rows.all()}
