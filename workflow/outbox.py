"""The outbox: fan events out to subscriptions, claim what is due, record answers, redeliver.

Sending and the worker that runs the cycle are ``workflow.delivery``.

The engine writes an ``OutboxEvent`` in the transaction of every change. A
worker then, each in its own short transaction:

1. fans new events out to the active subscriptions that want them (one
   ``OutboxDelivery`` each);
2. claims due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers
   on many hosts never claim the same one) by pushing ``next_attempt_at`` one
   lease ahead and stamping a ``lease_token``;
3. sends them outside any transaction, signed with the Standard Webhooks scheme
   (``webhook-id`` is the event's id, the same on every retry);
4. records each answer, if it still holds the lease: delivered; retry after the
   schedule's next delay (with jitter, or the receiver's ``Retry-After``); dead
   after the last retry or when the receiver answers 410 (which also disables
   the subscription).

A worker that dies leaves its claims to expire: they are simply due again, so
an event is delivered at least once and receivers de-duplicate on
``webhook-id``. On SQLite ``FOR UPDATE`` is dropped, but its write lock
serialises the claims, so a second worker there is merely useless, not harmful.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Text, bindparam, cast, select, update
from sqlalchemy.orm import Session, selectinload

from workflow import notify
from workflow.db import among, utcnow, write_rows, write_transaction
from workflow.errors import Conflict, NotFound
from workflow.models import (
    DeliveryAttempt,
    DeliveryStatus,
    OutboxDelivery,
    OutboxEvent,
    Subscription,
)
from workflow.webhooks import wants

# After Standard Webhooks: the first try at once, then these delays, then dead.
DEFAULT_SCHEDULE = "5s,5m,30m,2h,5h,10h,14h,20h,24h"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_ERROR = 500  # characters of an error kept per attempt
# Bytes of a receiver's answer kept per attempt (UTF-8): enough to tell why it failed,
# too little to make the attempt log a copy of what some server answers.
MAX_BODY = 1024
USER_AGENT = "Alur-Webhooks/1"
MAX_RETRY_AFTER = 86400.0


def parse_schedule(value: str | Iterable) -> tuple[float, ...]:
    """``"5s,5m,2h"`` (or numbers of seconds) as seconds; ValueError if malformed."""
    items = value.split(",") if isinstance(value, str) else list(value)
    delays = []
    for item in items:
        if isinstance(item, int | float) and not isinstance(item, bool):
            seconds = float(item)
        else:
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(item))
            if match is None:
                raise ValueError(f"{item!r} is not a delay such as 30s, 5m, 2h or 1d")
            seconds = float(match[1]) * UNITS[match[2] or "s"]
        if seconds <= 0:
            raise ValueError(f"{item!r}: delays must be positive")
        delays.append(seconds)
    if not delays:
        raise ValueError("the retry schedule needs at least one delay")
    return tuple(delays)


@dataclass(frozen=True)
class Settings:
    """How the worker delivers; ``from_config`` reads the ``OUTBOX_*`` settings."""

    schedule: tuple[float, ...] = parse_schedule(DEFAULT_SCHEDULE)
    jitter: float = 0.2  # each delay is spread ±20% so failed receivers are not hit in step
    timeout: float = 10.0  # seconds for connecting, and for each read and write
    lease: float = 60.0  # seconds a claim is held before another worker may retry it
    batch: int = 20
    concurrency: int = 8
    poll: float = 1.0  # seconds between looks at the outbox when idle
    fan_out_batch: int = 500
    # Whether a delivery may go to a loopback, private … address; None: the rule
    # ``webhook_allow_private`` (workflow.settings).
    allow_private: bool | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> Settings:
        settings = cls(
            schedule=parse_schedule(config.get("OUTBOX_RETRY_SCHEDULE", DEFAULT_SCHEDULE)),
            jitter=float(config.get("OUTBOX_JITTER", cls.jitter)),
            timeout=float(config.get("OUTBOX_TIMEOUT", cls.timeout)),
            lease=float(config.get("OUTBOX_LEASE", cls.lease)),
            batch=int(config.get("OUTBOX_BATCH", cls.batch)),
            concurrency=int(config.get("OUTBOX_CONCURRENCY", cls.concurrency)),
            poll=float(config.get("OUTBOX_POLL", cls.poll)),
        )
        if not 0 <= settings.jitter < 1:
            raise ValueError("OUTBOX_JITTER must be at least 0 and below 1")
        if settings.timeout <= 0 or settings.batch < 1 or settings.concurrency < 1:
            raise ValueError("OUTBOX_TIMEOUT, OUTBOX_BATCH and OUTBOX_CONCURRENCY must be positive")
        # A claim must outlast the sends of its batch, or a second worker would resend them.
        if settings.lease < 3 * settings.timeout:
            raise ValueError("OUTBOX_LEASE must be at least three times OUTBOX_TIMEOUT")
        return settings

    def delay(self, attempts: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after the ``attempts``-th failed try; None: no more tries."""
        if attempts > len(self.schedule):
            return None
        if retry_after is not None:
            # The receiver said when; yet not sooner than a second, nor later than a day.
            return min(max(retry_after, 1.0), MAX_RETRY_AFTER)
        base = self.schedule[attempts - 1]
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)


def event_body(type_: str, created_at: datetime, payload: str) -> str:
    """The JSON sent for an event, ``{"type", "timestamp", "data"}``, with the payload as the
    JSON text the database holds (a batch of sends need not parse each payload only to write
    it out again)."""
    head = json.dumps({"type": type_, "timestamp": _iso(created_at)}, separators=(",", ":"))
    return f'{head[:-1]},"data":{payload}}}'


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- fan-out and claims ----------------------------------------------------------------


def fan_out(session: Session, *, limit: int = 500) -> int:
    """Create the deliveries of up to ``limit`` new events; return how many events."""
    with write_transaction(session):
        events = (
            session.connection()
            .execute(
                select(
                    OutboxEvent.id,
                    OutboxEvent.event_id,
                    OutboxEvent.type,
                    OutboxEvent.payload,
                    OutboxEvent.created_at,
                )
                .where(OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .all()
        )
        if not events:
            return 0
        subscriptions = session.scalars(select(Subscription).where(Subscription.active)).all()
        # Who wants each type, matched once a batch: a batch has few types and many events.
        wanting = {
            type_: [s for s in subscriptions if wants(s, type_)]
            for type_ in {event.type for event in events}
        }
        # An event fanned out again (its mark cleared by hand) is not delivered twice: a
        # second delivery of it would break the unique (event, subscription) and hold up
        # every later event behind it. Its row lock keeps another worker off meanwhile.
        ids = [event.id for event in events]
        had = set(
            session.connection().execute(
                select(OutboxDelivery.event_id, OutboxDelivery.subscription_id).where(
                    among(session, OutboxDelivery.event_id, ids)
                )
            )
        )
        now = utcnow()
        deliveries = [
            {
                "event_id": event.id,
                "subscription_id": subscription.id,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for event in events
            for subscription in wanting[event.type]
            # A subscription hears of the changes made after it was created.
            if subscription.created_at <= event.created_at
            and (event.id, subscription.id) not in had
        ]
        write_rows(session, OutboxDelivery.__table__, deliveries)
        # Who is told of what, in the transaction that marks the events fanned out.
        notify.from_events(session, events, now, subscriptions)
        session.connection().execute(
            update(OutboxEvent)
            .where(among(session, OutboxEvent.id, ids))
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        )
    forget(session, OutboxEvent, ids)
    return len(events)


@dataclass(frozen=True)
class Claim:
    """A delivery leased to this worker, with all it needs to be sent."""

    delivery_id: int
    token: str
    url: str
    secrets: tuple[str, ...]
    message_id: str
    body: str


def claim(session: Session, worker: str, settings: Settings) -> list[Claim]:
    """Lease up to ``settings.batch`` due deliveries of active subscriptions to ``worker``.

    A handful of statements whatever the batch: the due rows are locked, leased by
    one UPDATE under one token for the batch, and their events and subscriptions
    read in one query each.
    """
    with write_transaction(session):
        now = utcnow()
        due = (
            session.connection()
            .execute(
                select(OutboxDelivery.id, OutboxDelivery.event_id, OutboxDelivery.subscription_id)
                .join(Subscription, Subscription.id == OutboxDelivery.subscription_id)
                .where(
                    OutboxDelivery.status == DeliveryStatus.PENDING,
                    OutboxDelivery.next_attempt_at <= now,
                    Subscription.active,
                )
                .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
                .limit(settings.batch)
                .with_for_update(skip_locked=True, of=OutboxDelivery)
            )
            .all()
        )
        if not due:
            return []
        token = uuid.uuid4().hex
        session.connection().execute(
            update(OutboxDelivery)
            .where(among(session, OutboxDelivery.id, [row.id for row in due]))
            .values(
                lease_token=token,
                claimed_by=worker[:100],
                next_attempt_at=now + timedelta(seconds=settings.lease),
            )
            .execution_options(synchronize_session=False)
        )
        forget(session, OutboxDelivery, [row.id for row in due])
        events = {
            event.id: event
            for event in session.connection().execute(
                select(
                    OutboxEvent.id,
                    OutboxEvent.event_id,
                    OutboxEvent.type,
                    OutboxEvent.created_at,
                    cast(OutboxEvent.payload, Text).label("payload"),
                ).where(among(session, OutboxEvent.id, {row.event_id for row in due}))
            )
        }
        subscriptions = {
            subscription.id: (subscription.url, tuple(subscription.secrets(now)))
            for subscription in session.scalars(
                select(Subscription).where(
                    among(session, Subscription.id, {r.subscription_id for r in due})
                )
            )
        }
    claims = []
    for row in due:
        event = events[row.event_id]
        url, secrets = subscriptions[row.subscription_id]
        body = event_body(event.type, event.created_at, event.payload)
        claims.append(Claim(row.id, token, url, secrets, event.event_id, body))
    return claims


@dataclass(frozen=True)
class Answer:
    """What came of one try."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# -- recording -------------------------------------------------------------------------


def record(
    session: Session, results: list[tuple[Claim, Answer]], worker: str, settings: Settings
) -> list[str]:
    """Keep the answers of this worker's claims; return each one's outcome, in order.

    Deliveries that went through (nearly all) are settled by one UPDATE run for the
    batch; a failure loads its row to work out the retry.
    """
    outcomes = []
    with write_transaction(session):
        ids = sorted(c.delivery_id for c, _ in results)  # lock in one order: no deadlocks
        held = {
            row.id: row
            for row in session.connection().execute(
                select(OutboxDelivery.id, OutboxDelivery.lease_token, OutboxDelivery.status)
                .where(among(session, OutboxDelivery.id, ids))
                .order_by(OutboxDelivery.id)
                .with_for_update()
            )
        }
        now = utcnow()
        delivered, attempts = [], []
        for claim_, answer in results:
            row = held.get(claim_.delivery_id)
            still_ours = row is not None and row.lease_token == claim_.token
            if not still_ours or row.status != DeliveryStatus.PENDING:
                # The lease ran out (or it was redelivered): its new holder decides.
                outcome = "lost"
            elif answer.ok:
                outcome = "delivered"
                delivered.append(
                    {
                        "b_id": claim_.delivery_id,
                        "b_started": answer.started_at,
                        "b_status": answer.status_code,
                    }
                )
            else:
                delivery = session.get(OutboxDelivery, claim_.delivery_id, populate_existing=True)
                outcome = _settle(delivery, answer, settings, now)
                if outcome in ("dead", "gone"):  # the admins learn that it failed for good
                    notify.tell_admins(
                        session,
                        "dead_delivery",
                        f"dead-delivery-{delivery.id}-{delivery.attempts}",
                        about=("delivery", delivery.id, outcome),
                    )
            outcomes.append(outcome)
            attempts.append(
                {
                    "delivery_id": claim_.delivery_id,
                    "started_at": answer.started_at,
                    "duration_ms": answer.duration_ms,
                    "status_code": answer.status_code,
                    "error": answer.error,
                    "outcome": outcome,
                    "worker": worker[:100],
                }
            )
        if delivered:
            table = OutboxDelivery.__table__
            session.connection().execute(
                table.update()
                .where(table.c.id == bindparam("b_id"))
                .values(
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=now,
                    lease_token=None,
                    attempts=table.c.attempts + 1,
                    last_attempt_at=bindparam("b_started", type_=table.c.last_attempt_at.type),
                    last_status=bindparam("b_status"),
                    last_error=None,
                ),
                delivered,
            )
        write_rows(session, DeliveryAttempt.__table__, attempts)
    forget(session, OutboxDelivery, ids)
    return outcomes


def forget(session: Session, model, ids) -> None:
    """Expire the objects of rows changed behind the ORM's back, should the session hold any."""
    for id_ in ids:
        held = session.identity_map.get(session.identity_key(model, (id_,)))
        if held is not None:
            session.expire(held)


def _settle(row: OutboxDelivery, answer: Answer, settings: Settings, now) -> str:
    """A failed try: retry later, or dead (gone)."""
    row.lease_token = None
    row.attempts += 1
    row.last_attempt_at = answer.started_at
    row.last_status = answer.status_code
    row.last_error = answer.error
    if answer.status_code == 410:
        row.status = DeliveryStatus.DEAD
        subscription = row.subscription
        subscription.active = False
        subscription.disabled_reason = (
            f"the receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC "
            f"(delivery {row.id}); re-enable it once the URL is right"
        )
        return "gone"
    delay = settings.delay(row.attempts, answer.retry_after)
    if delay is None:
        row.status = DeliveryStatus.DEAD
        return "dead"
    row.next_attempt_at = now + timedelta(seconds=delay)
    return "retry"


# -- redelivery ------------------------------------------------------------------------


def redeliver(
    session: Session, delivery_ids: Iterable[int], *, actor=None, via: str = "system"
) -> list[OutboxDelivery]:
    """Make these deliveries due now with a fresh retry schedule, whatever their status.

    Asked of the policy (for ``actor``; None is the operator) and logged, delivery by delivery.
    """
    from workflow import changes, policy  # both read the models this module serves

    ids = sorted(set(delivery_ids))
    with write_transaction(session):
        rows = session.scalars(
            select(OutboxDelivery)
            .where(among(session, OutboxDelivery.id, ids))
            .order_by(OutboxDelivery.id)
            .with_for_update()
            .options(selectinload(OutboxDelivery.subscription))
        ).all()
        missing = sorted(set(ids) - {row.id for row in rows})
        if missing:
            raise NotFound("no delivery %(ids)s", {"ids": tuple(missing)})
        for row in rows:
            if actor is not None:
                policy.check(actor, policy.Action.CHANGE, row)
            _refuse_disabled(row.subscription, row.id)
            before = changes.snapshot(row)
            _reset(row)
            after = changes.snapshot(row)
            changes.record(session, actor, row, "redeliver", before, after, via=via)
    return rows


def redeliver_dead(
    session: Session, *, subscription_id: int | None = None, actor=None, via: str = "system"
) -> int:
    """Make every dead delivery of active subscriptions (or of one) due now; return how many.

    One subscription named: it must be active (Conflict otherwise), and the command is
    logged on it.
    """
    from workflow import changes, policy

    with write_transaction(session):
        named = None
        if subscription_id is not None:
            named = session.get(Subscription, subscription_id)
            if named is None or (actor is not None and not policy.can_see(actor, named)):
                raise NotFound("no subscription %(id)s", {"id": subscription_id})
            if actor is not None:
                policy.check(actor, policy.Action.CHANGE, named)
            _refuse_disabled(named)
        active = select(Subscription.id).where(Subscription.active)
        if subscription_id is not None:
            active = active.where(Subscription.id == subscription_id)
        result = session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.status == DeliveryStatus.DEAD,
                OutboxDelivery.subscription_id.in_(active),
            )
            .values(
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                lease_token=None,
            )
            .execution_options(synchronize_session=False)
        )
        if named is not None:
            done = {"redelivered": result.rowcount}
            changes.record(session, actor, named, "redeliver_dead", None, done, via=via)
    return result.rowcount


def _refuse_disabled(subscription: Subscription, delivery: int | None = None) -> None:
    if subscription.active:
        return
    said = {"id": subscription.id, "delivery": delivery, "why": subscription.disabled_reason}
    raise Conflict(
        ("delivery %(delivery)s: " if delivery is not None else "")
        + "subscription %(id)s is disabled"
        + (" (%(why)s)" if subscription.disabled_reason else "")
        + "; enable it first",
        said,
    )


def _reset(row: OutboxDelivery) -> None:
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.lease_token = None
    row.delivered_at = None
