"""The engine's commands: take a step, create a record, edit a record.

``take`` is the one way a record's state changes. In one transaction it locks the
record, checks that the actor may see it, its version, the actor's right and
segregation of duties, validates the step's data, runs the guards, moves the state
through the workflow's shared ``transitions.Machine``, and writes the audit entry,
the outbox event and the answer kept under an idempotency key; any failure rolls
all of it back.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session, object_session

from workflow import audit, byrule, events, rights, steps, telemetry
from workflow.db import update_many, update_with_inserts, utcnow, write_transaction
from workflow.errors import Forbidden, InvalidPayload, Text, TransitionNotAllowed, either, term
from workflow.models.accounts import User
from workflow.models.audit import AuditEntry, OutboxEvent
from workflow.models.requests import IdempotentRequest
from workflow.steps import Key, Step
from workflow.workflows import workflow_for
from workflow.workflows.common import load

__all__ = ["Key", "Step", "create", "edit", "fire", "get_record", "take"]


@cache
def _by_id(model, lock: bool):
    # Built once: a statement keeps its cache key, which is otherwise worked out anew
    # on every request.
    stmt = select(model).where(model.id == bindparam("record_id"))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return stmt


def get_record(session: Session, workflow: str, record_id: int, *, lock: bool = False):
    """Load a record of ``workflow`` by id, or raise NotFound."""
    wf = workflow_for(workflow)
    record = session.scalars(_by_id(wf.model, lock), {"record_id": record_id}).one_or_none()
    if record is None:
        raise steps.not_found(wf, record_id)
    return record


def take(session: Session, step: Step):
    """Take ``step`` in one transaction; return the moved record.

    NotFound if there is no such record or the policy does not let the actor see
    it: a caller names an id, and may not learn what is not theirs.
    """
    return _take(session, step, named_by_id=True)


def _take(session: Session, step: Step, *, named_by_id: bool):
    wf = workflow_for(step.workflow)
    rights.check_channel(step.actor, step.via)
    with write_transaction(session):
        row = get_record(session, wf.name, step.record_id, lock=True)
        if named_by_id and not rights.visible(step.actor, row):
            raise steps.not_found(wf, step.record_id)
        spec, values, comment, on_behalf_of = steps.checked(wf, row, step)
        entries, changes = [], []
        ctx = steps.move(
            session, wf, row, spec, step, values, comment, on_behalf_of, entries, changes
        )
        # The record, its audit entry and its event: one statement on PostgreSQL (one
        # round trip of the step's three), plain statements elsewhere; then what the
        # effects added.
        with steps.stale_as_conflict(wf, row, step.expected_version):
            if len(entries) == len(changes) == 1:
                rows = [
                    (AuditEntry.__table__, entries[0]),
                    (OutboxEvent.__table__, changes[0]),
                ]
                update_with_inserts(session, row, rows)
            else:
                update_many(session, [row])
                audit.write(session, entries)
                events.write(session, changes)
            session.flush()
        byrule.make(session, ctx.creates, ctx.rows)
        if step.key is not None:
            _keep_answer(session, step, row)
            session.flush()
    telemetry.stepped(
        wf.name,
        step.trigger,
        step.via,
        record_id=step.record_id,
        actor_id=step.actor.id if step.actor is not None else None,
        state=row.state,
    )
    return row


def fire(
    record,
    trigger: str,
    actor: User | None,
    *,
    via: str,
    comment: str | None = None,
    payload: dict | None = None,
    expected_version: int | None = None,
):
    """``take`` for a record the caller already holds: the step of ``trigger`` on it.

    The record was read under the policy already, so a step the actor may not take
    is Forbidden rather than NotFound (the core's own callers, the demo, tests).
    """
    session = object_session(record)
    if session is None:
        raise ValueError("fire() needs a record loaded in a session")
    record_id = inspect(record).identity[0]  # without a refresh query if expired
    step = Step(
        workflow_for(record).name,
        record_id,
        trigger,
        actor,
        via,
        comment,
        payload,
        expected_version,
    )
    return _take(session, step, named_by_id=False)


def answer(row) -> dict:
    """A record's column values as JSON gives them: what a retried request is answered."""
    values = {}
    for column in inspect(row).mapper.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    wf = workflow_for(row)
    if wf.answered is not None:
        values |= wf.answered(row)
    return values


def _keep_answer(session: Session, step: Step, row) -> None:
    """Keep the step's answer under its idempotency key, in the step's transaction."""
    key = step.key
    if key.receipt is not None:
        key.receipt.result = {
            "workflow": step.workflow,
            "id": row.id,
            "state": row.state,
            "version": row.version,
        }
        session.add(key.receipt)
        return
    session.add(
        IdempotentRequest(
            user_id=step.actor.id,
            key=key.value,
            request_hash=key.request_hash,
            status=200,
            response=answer(row),
        )
    )


def create(
    session: Session,
    workflow: str,
    actor: User | None,
    data: dict,
    *,
    via: str,
    comment: str | None = None,
):
    """Create a record of ``workflow`` in its initial state, audited as ``create``."""
    wf = workflow_for(workflow)
    rights.check_channel(actor, via)
    values = load(wf.create_schema, data, what=steps.data_of("create", wf))
    with write_transaction(session):
        return steps.insert(session, wf, actor, values, via, comment)


def edit(
    record,
    actor: User | None,
    data: dict,
    *,
    via: str,
    comment: str | None = None,
    expected_version: int | None = None,
):
    """Change a record's editable fields while it is a draft or returned; audited as ``edit``.

    Those who may create a record may edit it; the state does not change.
    """
    session = object_session(record)
    if session is None:
        raise ValueError("edit() needs a record loaded in a session")
    wf = workflow_for(record)
    rights.check_channel(actor, via)
    values = load(wf.edit_schema, data, what=steps.data_of("edit", wf))
    if not values:
        raise InvalidPayload("nothing to change", {"_schema": [Text("Give at least one field.")]})
    record_id = inspect(record).identity[0]
    with write_transaction(session):
        row = get_record(session, wf.name, record_id, lock=True)
        steps.check_version(wf, row, expected_version)
        if row.state not in wf.editable:
            raise TransitionNotAllowed(
                "a %(workflow)s can be changed only while %(editable)s; it is %(state)s",
                {
                    "workflow": term("workflow", wf.name, wf.title.lower()),
                    "editable": either("state", sorted(wf.editable)),
                    "state": term("state", row.state),
                },
                state=row.state,
                allowed=[a.trigger for a in rights.allowed_triggers(row, actor)],
            )
        if actor is not None and not rights.any_holds(wf.create_who, actor, row):
            raise Forbidden(
                "you may not change this %(workflow)s; it may be changed by: %(parties)s",
                {
                    "workflow": term("workflow", wf.name, wf.title.lower()),
                    "parties": rights.names(wf.create_who),
                },
            )
        wf.revise(session, row, values, actor)
        audit.append(
            session,
            row,
            trigger="edit",
            from_state=row.state,
            to_state=row.state,
            actor_id=actor.id if actor is not None else None,
            via=via,
            comment=steps.note(values, comment),
            payload=values,
            now=utcnow(),
        )
        with steps.stale_as_conflict(wf, row, expected_version):
            session.flush()
    return row
