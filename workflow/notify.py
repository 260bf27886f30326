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

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow.db import insert_many_once, local_today, utcnow
from workflow.models import (
    Delegation,
    MailMode,
    MailStatus,
    Notification,
    NotificationSetting,
    OutboxEvent,
    Role,
    RoleName,
    User,
)
from workflow.workflows import WORKFLOWS

ANY = "*"
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


def from_events(session: Session, events: Iterable, now: datetime) -> int:
    """Write the notifications of fanned-out ``events`` (rows with ``event_id``, ``type``,
    ``payload``), and a ``notification.created`` event for each; return how many."""
    return write(session, [t for event in events for t in _told(session, event)], now)


def tell(session: Session, user_ids, kind: str, cause: str, *, about: tuple = (None, None, None)):
    """Tell ``user_ids`` of ``kind`` in the caller's transaction, once per ``cause`` (a
    stable key of what happened); ``about`` is (workflow, record id, state)."""
    workflow, record_id, state = about
    told = [Told(u, kind, workflow, record_id, state, cause) for u in sorted(set(user_ids))]
    return write(session, told, utcnow())


def tell_admins(session: Session, kind: str, cause: str, *, about: tuple = (None, None, None)):
    """Tell the active admins of ``kind`` in the caller's transaction, unless ``cause`` was
    told already (a failure seen again on the next try is not told twice)."""
    if session.scalar(select(Notification.id).where(Notification.event_id == cause).limit(1)):
        return 0
    return tell(session, admins(session), kind, cause, about=about)


def admins(session: Session) -> list[int]:
    """The active admins (told of what fails in the machinery: a dead delivery)."""
    return session.scalars(
        select(User.id).join(User.roles).where(Role.name == RoleName.ADMIN, User.active)
    ).all()


# Notifications written per statement (ten columns each, within every driver's limit).
WRITE_BATCH = 1000


def write(session: Session, told: list[Told], now: datetime) -> int:
    """Insert ``told`` as notifications (each user's mail mode decides its mail), but none
    already written for its event; return how many were written."""
    if not told:
        return 0
    modes = _modes(session, {t.user_id for t in told})
    addresses = dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_({t.user_id for t in told}))
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
    # Each is also an event, so an agency's SMS or WhatsApp gateway can relay it.
    session.connection().execute(
        insert(OutboxEvent),
        [
            {
                "event_id": f"evt_{uuid.uuid4().hex}",
                "type": "notification.created",
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


def _told(session: Session, event) -> list[Told]:
    workflow, _, what = event.type.partition(".")
    wf = WORKFLOWS.get(workflow)
    payload = event.payload or {}
    if wf is None or not isinstance(payload.get("id"), int):
        return []  # not a record's event (an audit checkpoint, a notification)
    state = payload.get("state") if what in SLA_KINDS else payload.get("to")
    rules = rules_for(workflow, what)
    if not rules or state is None:
        return []
    record = session.get(wf.model, payload["id"])
    if record is None:
        return []
    employees: dict[str, set[int]] = {}
    users: dict[str, set[int]] = {}
    for rule in rules:
        for to in rule.to:
            if to == "submitter":
                if record.created_by_id is not None:
                    users.setdefault(rule.kind, set()).add(record.created_by_id)
                continue
            employees.setdefault(rule.kind, set()).update(
                _employees(wf, record, state, to, payload)
            )
    acting = _acting_for(session, {e for ids in employees.values() for e in ids})
    for kind, ids in employees.items():
        ids.update(d for principal in list(ids) for d in acting.get(principal, ()))
        users.setdefault(kind, set()).update(_users_of(session, ids))
    actor = payload.get("actor")
    seen: set[int] = set()  # an event tells a person once, of its first kind
    told = []
    for rule in rules:
        for user_id in sorted(users.get(rule.kind, ())):
            if user_id == actor or user_id in seen:
                continue  # nobody is told of their own step
            seen.add(user_id)
            told.append(Told(user_id, rule.kind, workflow, record.id, state, event.event_id))
    return told


def _employees(wf, record, state: str, to: str, payload: dict) -> set[int]:
    if to == "next":
        return {
            official
            for spec in wf.edges_from(state)
            for party in spec.inbox
            if party.principal is not None and (official := party.principal(record))
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
            Delegation.principal_id.in_(principals),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
    )
    acting: dict[int, list[int]] = {}
    for principal, delegate in rows:
        acting.setdefault(principal, []).append(delegate)
    return acting


def _users_of(session: Session, employee_ids: set[int]) -> set[int]:
    if not employee_ids:
        return set()
    return set(
        session.scalars(select(User.id).where(User.employee_id.in_(employee_ids), User.active))
    )


def _modes(session: Session, user_ids: set[int]) -> dict[tuple[int, str], str]:
    rows = session.execute(
        select(
            NotificationSetting.user_id, NotificationSetting.kind, NotificationSetting.mode
        ).where(NotificationSetting.user_id.in_(user_ids))
    )
    return {(user_id, kind): mode for user_id, kind, mode in rows.all()}
