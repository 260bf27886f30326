"""A step asked of the engine, and the pieces of taking one that every path shares.

``Step`` is the one shape in which an adapter asks for a change of state: the API's
transition view, the back office's step button, the webhook intake and the bulk
path each build one and hand it to ``engine.take`` (or ``bulk.take_many``). The
functions below check a step, move a record and make a record; the engine and the
bulk path put them together in their transactions.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, errors, events, policy, rights
from workflow.db import utcnow
from workflow.definition import Transition, TransitionContext, Workflow
from workflow.models.accounts import User
from workflow.workflows.common import load, unknown


@dataclass(frozen=True)
class Key:
    """An idempotency key: the step's answer is kept under it, in the step's transaction.

    ``request_hash`` binds the key to one request (a retry with another body is told
    so). ``receipt`` is the webhook intake's receipt, kept with the result; without
    one, the answer is kept as the actor's ``IdempotentRequest``.
    """

    value: str
    request_hash: str | None = None
    receipt: object | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """Fire ``trigger`` on record ``record_id`` of ``workflow``, as ``actor``, through ``via``.

    ``actor`` None is the system itself (``via="system"``), which acts by rule.
    ``expected_version`` is the version the caller last saw (If-Match); ``key`` an
    idempotency key, if the caller gave one.
    """

    workflow: str
    record_id: int
    trigger: str
    actor: User | None
    via: str
    comment: str | None = None
    data: dict | None = None
    expected_version: int | None = None
    key: Key | None = None


def data_of(kind: str, wf: Workflow) -> errors.Term:
    """What a payload is, in a refusal: a new record's data (create) or a change (edit)."""
    said = f"{wf.title.lower()} data" if kind == "create" else f"changes to the {wf.title.lower()}"
    return errors.term(kind, wf.name, said)


def not_found(wf: Workflow, record_id) -> errors.NotFound:
    """What the caller is told of a record that does not exist or is not theirs to see."""
    return errors.NotFound(
        "%(workflow)s %(id)s does not exist",
        {"workflow": errors.term("workflow", wf.name, wf.title), "id": record_id},
    )


def check_version(wf: Workflow, row, expected_version: int | None) -> None:
    """StaleVersion if the record is no longer at the version the caller saw."""
    if expected_version is not None and row.version != expected_version:
        raise errors.StaleVersion(
            "%(workflow)s %(id)s has changed since you read it "
            "(version %(expected)s, now %(actual)s); reload and try again",
            {
                "workflow": errors.term("workflow", wf.name, wf.title),
                "id": row.id,
                "expected": expected_version,
                "actual": row.version,
            },
            expected=expected_version,
            actual=row.version,
        )


@contextmanager
def stale_as_conflict(wf: Workflow, row, expected_version: int | None):
    """A write that finds the record's version moved on is StaleVersion for the caller."""
    try:
        yield
    except StaleDataError:
        raise errors.StaleVersion(
            "%(workflow)s %(id)s was changed by someone else; reload and try again",
            {"workflow": errors.term("workflow", wf.name, wf.title), "id": row.id},
            expected=expected_version,
            actual=None,
        ) from None


def next_version_of(row) -> int:
    """The version ``row`` will have once its change is written."""
    return inspect(row).mapper.version_id_generator(row.version)


def note(values: dict, comment: str | None) -> str | None:
    """The audit comment: the data's ``reason`` (why officials were named), or ``comment``."""
    return (values.get("reason") or "").strip() or (comment or "").strip() or None


def checked(wf: Workflow, row, step: Step) -> tuple[Transition, dict, str | None, int | None]:
    """Every check that needs no change: version, the edge, rights, reason, data.

    Returns the transition, the loaded data, the comment and the official stood in for.
    """
    trigger, actor = step.trigger, step.actor
    check_version(wf, row, step.expected_version)
    spec = wf.edge(trigger, row.state)
    if spec is None:
        allowed = [a.trigger for a in rights.allowed_triggers(row, actor)]
        known = trigger in wf.triggers
        raise errors.TransitionNotAllowed(
            (
                "%(trigger)s is not possible while the %(workflow)s is %(state)s"
                if known
                else "%(trigger)s is not a trigger of %(workflow)s"
            )
            + ("; you may: %(allowed)s" if allowed else ""),
            {
                "trigger": errors.term("trigger", trigger),
                "workflow": errors.term("workflow", wf.name, wf.title.lower()),
                "state": errors.term("state", row.state),
                "allowed": errors.terms("trigger", allowed),
            },
            state=row.state,
            allowed=allowed,
        )
    refusal = rights.refusal(spec, row, actor)
    if refusal is not None:
        raise refusal
    on_behalf_of = rights.on_behalf_of(spec, row, actor)
    comment = (step.comment or "").strip() or None
    if spec.needs_comment and comment is None:
        raise errors.InvalidPayload(
            "%(trigger)s needs a reason",
            {"comment": [errors.Text("A reason is required.")]},
            {"trigger": errors.term("trigger", trigger)},
        )
    return spec, _load_data(spec, step.data), comment, on_behalf_of


def _load_data(spec: Transition, data) -> dict:
    if spec.payload is not None:
        return load(
            spec.payload, data, what=errors.term("data", spec.trigger, f"data for {spec.trigger!r}")
        )
    if data:
        said = {"trigger": errors.term("trigger", spec.trigger)}
        raise errors.InvalidPayload(
            "%(trigger)s takes no data",
            {"data": [errors.Text("%(trigger)s takes no data.", **said)]},
            said,
        )
    return {}


def move(
    session,
    wf: Workflow,
    row,
    spec: Transition,
    step: Step,
    values: dict,
    comment,
    on_behalf_of,
    entries: list[dict],
    changes: list[dict],
    batch: dict | None = None,
) -> TransitionContext:
    """Guards, the state change with its effects; its audit entry and event (not yet written).

    The entry's values go to ``entries`` and the event's to ``changes``, for the caller
    to insert with the record's UPDATE (a batch inserts them in one statement each).
    ``batch`` is what a batch of steps shares (``TransitionContext.batch``).
    Returns the firing's context: the records and rows its effects asked for
    (``creates``, ``rows``), for ``byrule.make`` once the change is written.
    """
    now = utcnow()
    actor = step.actor
    version = next_version_of(row)
    from_state = row.state
    ctx = TransitionContext(
        session, row, actor, spec.trigger, step.via, values, comment, now, batch=batch or {}
    )
    if not wf.machine.events[spec.trigger].trigger(row, ctx=ctx):
        # Guards raise their own reasons; a plain False would be a guard's bug.
        raise errors.TransitionNotAllowed(
            "%(trigger)s was refused",
            {"trigger": errors.term("trigger", spec.trigger)},
            state=from_state,
            allowed=[],
        )
    row.state_changed_at = now
    if spec.marks_reviewer:
        row.reviewed_by_id = actor.id if actor is not None else None
    actor_id = actor.id if actor is not None else None
    # Before the flush, so the state and the audit anchor go out in one UPDATE.
    entries.append(
        audit.next_entry(
            row,
            trigger=spec.trigger,
            from_state=from_state,
            to_state=row.state,
            actor_id=actor_id,
            via=step.via,
            comment=comment,
            payload=values,
            now=now,
            on_behalf_of_id=on_behalf_of,
        )
    )
    changes.append(
        events.event(wf, row, from_state, spec.trigger, actor, step.via, now, on_behalf_of, version)
    )
    return ctx


def prepared(session, wf: Workflow, values: dict, actor: User | None) -> dict:
    """The new record's column values: the data's own checks, the rows it names, ``prepare``.

    The rows are checked against what ``actor`` may see before ``prepare`` reads them, so
    nothing about a row of another agency shows in a refusal (the system sees every row).
    """
    if wf.check is not None:
        wf.check(values)
    if actor is not None:
        for field, model, label in wf.references:
            row = session.get(model, values[field])
            if row is None or not policy.can_see(actor, row):
                raise unknown(field, label, values[field])
    return wf.prepare(session, values, actor)


def insert(session, wf: Workflow, actor: User | None, values: dict, via: str, comment):
    """Make a record in its initial state with its ``create`` entry and event."""
    now = utcnow()
    record = wf.model(**prepared(session, wf, values, actor))
    record.state = wf.initial
    record.created_at = record.state_changed_at = now
    record.created_by_id = actor.id if actor is not None else None
    session.add(record)
    try:
        session.flush()  # persistent from here on, so the parties can follow relationships
    except IntegrityError:
        raise errors.Conflict(
            "this %(workflow)s conflicts with an existing open one for the same person and subject",
            {"workflow": errors.term("workflow", wf.name, wf.title.lower())},
        ) from None
    if wf.settle is not None:
        wf.settle(session, record)
    if actor is not None and not rights.any_holds(wf.create_who, actor, record):
        raise errors.Forbidden(
            "you may not create this %(workflow)s; it may be created by: %(parties)s",
            {
                "workflow": errors.term("workflow", wf.name, wf.title.lower()),
                "parties": rights.names(wf.create_who),
            },
        )
    comment = note(values, comment)
    audit.created(
        session,
        record,
        actor_id=record.created_by_id,
        via=via,
        comment=comment,
        payload=values,
        now=now,
    )
    session.flush()  # the audit anchor's UPDATE gives the record its first version (1)
    events.emit(session, wf, record, None, "create", actor, via, now)
    return record
