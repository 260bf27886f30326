"""Many steps at once: a supervisor approving dozens, an import's follow-ups.

Each step stands or falls alone, with the outcome it would have had if taken by
itself; a batch of steps shares one transaction and a few statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, byrule, events, rights, steps, telemetry
from workflow.db import among, update_many, write_transaction
from workflow.definition import BATCH_RECORDS
from workflow.engine import take
from workflow.errors import WorkflowError
from workflow.steps import Step
from workflow.workflows import workflow_for

BATCH = 500


@dataclass(slots=True)
class Outcome:
    """One step of ``take_many``: the record's new state and version (and the record,
    if kept), or why not."""

    id: int
    record: object | None = None
    error: WorkflowError | None = None
    state: str | None = None
    version: int | None = None

    def settle(self, keep: bool) -> Outcome:
        """Once written: the record's new state and version; the record only if kept."""
        if self.record is not None:
            self.state, self.version = self.record.state, self.record.version
            if not keep:
                self.record = None
        return self


class _Fallback(Exception):
    """A batch must be taken step by step after all."""


def take_many(
    session: Session, many: list[Step], *, batch: int = BATCH, keep: bool = True
) -> list[Outcome]:
    """Take many steps on records of one workflow; each stands or falls alone.

    A batch of steps is one transaction: its records are locked in id order by one
    query, each step is checked and moved in memory, and the state changes, audit
    entries and events are written in a few statements, not a round trip each. A
    step refused by a check that changes nothing (what the actor may see, version,
    state, rights, reason, data) fails alone. If a guard or an effect refuses, or
    the writes fail, the batch is rolled back and taken step by step (``take``),
    with the same outcome as if it had been so from the start.

    ``keep=False``: the outcomes do not hold the records, so that each batch's rows are let
    go once it is written (an answer about thousands needs only their states and versions).
    """
    if not many:
        return []
    if any(step.key is not None for step in many):
        raise ValueError("take_many() keeps no idempotency keys; take() such a step alone")
    workflows = {step.workflow for step in many}
    if len(workflows) != 1:
        raise ValueError("take_many() takes steps of one workflow")
    wf = workflow_for(workflows.pop())
    for actor, via in {(step.actor, step.via) for step in many}:
        rights.check_channel(actor, via)
    outcomes: list[Outcome] = []
    for start in range(0, len(many), batch):
        chunk = many[start : start + batch]
        try:
            outcomes += _take_batch(session, wf, chunk, keep)
        except _Fallback:
            outcomes += [_take_one(session, step, keep) for step in chunk]
    return outcomes


def _take_batch(session, wf, chunk: list[Step], keep: bool) -> list[Outcome]:
    ids = [step.record_id for step in chunk]
    if len(set(ids)) != len(ids):
        raise _Fallback  # the same record twice: one after the other, as asked
    outcomes, creates, rows_added, entries, changes = [], [], [], [], []
    with write_transaction(session):
        locked = (
            select(wf.model)
            .where(among(session, wf.model.id, ids))
            .order_by(wf.model.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        rows = {row.id: row for row in session.scalars(locked)}
        # Effects that read for the whole batch do so when first asked (not at all for a
        # batch none of whose steps needs it).
        batch = {BATCH_RECORDS: list(rows.values())}
        for step in chunk:
            row = rows.get(step.record_id)
            try:
                if row is None or not rights.visible(step.actor, row):
                    raise steps.not_found(wf, step.record_id)
                spec, values, comment, on_behalf_of = steps.checked(wf, row, step)
            except WorkflowError as exc:
                outcomes.append(Outcome(step.record_id, error=exc))
                continue
            try:
                ctx = steps.move(
                    session,
                    wf,
                    row,
                    spec,
                    step,
                    values,
                    comment,
                    on_behalf_of,
                    entries,
                    changes,
                    batch,
                )
            except WorkflowError:
                raise _Fallback from None
            creates += ctx.creates
            rows_added += ctx.rows
            outcomes.append(Outcome(row.id, record=row))
        try:
            # The records, their audit entries and events: a few statements for the batch.
            update_many(session, [o.record for o in outcomes if o.record is not None])
            audit.write(session, entries)
            events.write(session, changes)
            session.flush()
        except (IntegrityError, StaleDataError):
            raise _Fallback from None
        # After the batch's writes: the records made by rule, together, and the rows that
        # name them (its records are locked: no other transaction can add theirs meanwhile).
        byrule.make(session, creates, rows_added)
    outcomes = [outcome.settle(keep) for outcome in outcomes]
    telemetry.stepped_many(
        wf.name,
        [
            (step.trigger, step.via)
            for step, o in zip(chunk, outcomes, strict=True)
            if o.error is None
        ],
        actor_ids={step.actor.id for step in chunk if step.actor is not None},
    )
    return outcomes


def _take_one(session, step: Step, keep: bool) -> Outcome:
    try:
        row = take(session, step)
    except WorkflowError as exc:
        session.rollback()
        return Outcome(step.record_id, error=exc)
    return Outcome(row.id, record=row).settle(keep)
