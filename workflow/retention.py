"""How long Alur keeps the traffic around its records (records and their audit stay).

A season of national appraisals writes tens of millions of events, deliveries
and delivery attempts; external systems send their idempotency keys and
webhooks by the million. None of it is the record of a decision (that is the
audit log, kept for good), so each kind is kept only as long as it is useful:

* a *delivered* webhook delivery, with its attempt log, for ``delivered`` after
  delivery (pending and dead ones stay until they are delivered or redelivered);
* an event, once fanned out and left without deliveries, for ``delivered`` after
  it was written;
* an idempotency key with its remembered answer, for ``idempotency`` (a retry
  after that is a new request; a repeated step is refused by its state anyway);
* a received webhook, for ``receipts`` (a replay older than the signature's five
  minutes of tolerance is refused before any receipt is looked at).

Rows go in batches, each its own short transaction, so that a prune of millions
neither holds locks for long nor keeps SQLite's write lock from other writers.
A row someone holds (a delivery being redelivered) is skipped, not waited for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.orm import Session

from workflow.db import utcnow, write_transaction
from workflow.models import (
    DeliveryAttempt,
    IdempotentRequest,
    OutboxDelivery,
    OutboxEvent,
    WebhookReceipt,
)
from workflow.models.webhooks import DeliveryStatus

BATCH = 5000


@dataclass(frozen=True)
class Keep:
    """How long each kind is kept."""

    delivered: timedelta = timedelta(days=30)
    idempotency: timedelta = timedelta(hours=24)
    receipts: timedelta = timedelta(days=90)

    @classmethod
    def from_config(cls, config: Mapping) -> Keep:
        """``KEEP_DELIVERED_DAYS``, ``KEEP_IDEMPOTENCY_HOURS``, ``KEEP_RECEIPTS_DAYS``."""
        default = cls()
        return cls(
            delivered=_span(config, "KEEP_DELIVERED_DAYS", "days", default.delivered),
            idempotency=_span(config, "KEEP_IDEMPOTENCY_HOURS", "hours", default.idempotency),
            receipts=_span(config, "KEEP_RECEIPTS_DAYS", "days", default.receipts),
        )


def _span(config: Mapping, name: str, unit: str, default: timedelta) -> timedelta:
    value = config.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number of {unit}, 0 or more; got {value!r}")
    return timedelta(**{unit: value})


def prune(
    session: Session,
    keep: Keep,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    progress: Callable[[str, int], None] = lambda kind, done: None,
) -> dict[str, int]:
    """Delete what has been kept long enough; return how many rows of each kind went."""
    now = now or utcnow()
    delivered_before = now - keep.delivered
    # kind -> (the model, when one of its rows is due, rows of other tables that go with it)
    plans = {
        "deliveries": (
            OutboxDelivery,
            and_(
                OutboxDelivery.status == DeliveryStatus.DELIVERED,
                OutboxDelivery.delivered_at < delivered_before,
            ),
            [DeliveryAttempt.delivery_id],
        ),
        "events": (
            OutboxEvent,
            and_(
                OutboxEvent.dispatched_at.is_not(None),
                OutboxEvent.created_at < delivered_before,
                ~exists().where(OutboxDelivery.event_id == OutboxEvent.id),
            ),
            [],
        ),
        "idempotency_keys": (
            IdempotentRequest,
            IdempotentRequest.created_at < now - keep.idempotency,
            [],
        ),
        "receipts": (WebhookReceipt, WebhookReceipt.received_at < now - keep.receipts, []),
    }
    counts = {}
    for kind, (model, due, dependents) in plans.items():
        counts[kind] = _in_batches(
            session, batch, model, due, dependents, lambda done, kind=kind: progress(kind, done)
        )
    return counts


def _in_batches(session, batch, model, due, dependents, progress) -> int:
    """Delete the rows of ``model`` that are ``due``, ``batch`` at a time, dependents first."""
    done = 0
    while True:
        with write_transaction(session):
            # locked, skipping rows someone holds (a redelivery): those wait for the next run
            ids = session.scalars(
                select(model.id)
                .where(due)
                .order_by(model.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            for column in [*dependents, model.id]:
                session.execute(
                    delete(column.class_).where(column.in_(ids)),
                    execution_options={"synchronize_session": False},
                )
        done += len(ids)
        if ids:
            progress(done)
        if len(ids) < batch:
            return done
