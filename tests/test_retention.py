"""Pruning: delivered webhooks, old idempotency keys and receipts go; records and audit stay."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.test_webhooks_out import change, drain, make_events, subscribe
from workflow import outbox, retention
from workflow.db import SQLITE_BEGIN_OPTION, db, utcnow
from workflow.models import (
    AuditEntry,
    DeliveryAttempt,
    IdempotentRequest,
    OutboxDelivery,
    OutboxEvent,
    WebhookReceipt,
)

OLD = timedelta(days=40)


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def age(session, event_ids, by: timedelta = OLD) -> None:
    """Make these events, and their deliveries' delivery, ``by`` older."""
    then = utcnow() - by
    session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(created_at=then)
    )
    session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.event_id.in_(event_ids), OutboxDelivery.delivered_at.is_not(None))
        .values(delivered_at=then)
    )
    session.commit()


def event_ids(session) -> list[int]:
    """The records' events (not the notification.created events they lead to)."""
    session.rollback()
    return session.scalars(
        select(OutboxEvent.id)
        .where(OutboxEvent.type.not_like("notification.%"))
        .order_by(OutboxEvent.id)
    ).all()


@pytest.fixture
def traffic(session, cast, receiver):
    """Events in every situation, old and new; keys and receipts old and new."""
    change(session, cast, "appraisal")  # two events before anyone subscribed: heard by nobody
    sink = receiver()
    sink.secret = subscribe(session, sink.url).secret
    drain(session)
    unheard = event_ids(session)
    make_events(session, cast, 6)
    drain(session)
    heard = event_ids(session)[len(unheard) :]
    assert count(session, OutboxDelivery) == 6 == count(session, DeliveryAttempt) == len(sink.ids)
    change(session, cast, "mentoring_assignment")  # two events not fanned out yet
    undispatched = event_ids(session)[len(unheard) + len(heard) :]
    age(session, unheard + heard[:4] + undispatched)
    dead, pending = heard[2], heard[3]
    session.execute(
        update(OutboxDelivery).where(OutboxDelivery.event_id == dead).values(status="dead")
    )
    session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.event_id == pending)
        .values(status="pending", delivered_at=None)
    )
    now = utcnow()
    for hours in (25, 1):
        session.add(
            IdempotentRequest(
                user_id=cast.admin.id,
                key=f"k{hours}",
                request_hash="h",
                status=200,
                response={},
                created_at=now - timedelta(hours=hours),
            )
        )
    for days in (100, 10):
        session.add(
            WebhookReceipt(
                client_name="siasn",
                webhook_id=f"msg_{days}",
                outcome="accepted",
                received_at=now - timedelta(days=days),
            )
        )
    session.commit()
    return {"unheard": unheard, "heard": heard, "undispatched": undispatched}


def test_what_was_kept_long_enough_goes_and_nothing_else(session, traffic):
    audit = count(session, AuditEntry)
    counts = retention.prune(session, retention.Keep())
    assert counts == {"deliveries": 2, "events": 4, "idempotency_keys": 1, "receipts": 1}

    heard = traffic["heard"]
    kept = set(traffic["undispatched"]) | set(heard[2:])  # dead, pending, and the recent two
    assert set(event_ids(session)) == kept
    remaining = session.scalars(select(OutboxDelivery.event_id)).all()
    assert sorted(remaining) == heard[2:]
    assert count(session, DeliveryAttempt) == 4  # the pruned deliveries' attempts went with them
    assert session.scalars(select(IdempotentRequest.key)).all() == ["k1"]
    assert session.scalars(select(WebhookReceipt.webhook_id)).all() == ["msg_10"]
    assert count(session, AuditEntry) == audit

    assert retention.prune(session, retention.Keep()) == dict.fromkeys(counts, 0)


def test_a_backlog_goes_in_batches_each_reported(session, traffic):
    session.rollback()
    told = session.scalar(  # relayed notifications: none, as no subscription names them
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type.like("notification.%"))
    )
    assert told == 0
    reported = []
    counts = retention.prune(
        session,
        retention.Keep(delivered=timedelta(0)),
        batch=2,
        progress=lambda kind, done: reported.append((kind, done)),
    )
    # the four delivered ones; then every dispatched event left without deliveries
    events = 2 + 4 + told
    assert counts["deliveries"] == 4 and counts["events"] == events
    assert [d for k, d in reported if k == "deliveries"] == [2, 4]
    assert [d for k, d in reported if k == "events"] == list(range(2, events + 1, 2)) + (
        [events] if events % 2 else []
    )


def test_a_delivery_being_redelivered_meanwhile_is_not_pruned(app, session, traffic):
    target = session.scalar(
        select(OutboxDelivery.id).where(OutboxDelivery.event_id == traffic["heard"][0])
    )
    session.rollback()
    # another connection takes the delivery as a redelivery does, and holds it
    holder = db.engine.connect().execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    holder.begin()
    holder.execute(select(OutboxDelivery.id).where(OutboxDelivery.id == target).with_for_update())
    result = {}

    def pruning():
        with app.app_context():
            result["counts"] = retention.prune(db.session, retention.Keep())
            db.session.remove()

    thread = threading.Thread(target=pruning)
    thread.start()
    thread.join(timeout=1)  # PostgreSQL: skips the held row; SQLite: waits for the lock
    holder.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == target)
        .values(status="pending", delivered_at=None, attempts=0)
    )
    holder.commit()
    holder.close()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert result["counts"]["deliveries"] == 1  # the other old delivered one
    row = session.get(OutboxDelivery, target)
    assert row is not None and row.status == "pending"
    assert session.get(OutboxEvent, traffic["heard"][0]) is not None
    outbox.redeliver(session, [target])  # and it can still be sent


def test_the_command_takes_its_spans_from_options_or_config(cli, app, session, traffic):
    result = cli("prune", "--quiet", "--receipts-days", "5")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "2 delivered webhook deliveries (with their attempts), 4 events left without "
        "deliveries, 1 idempotency keys, 2 received webhooks deleted"
    )
    app.config["KEEP_IDEMPOTENCY_HOURS"] = 0
    try:
        assert "1 idempotency keys" in cli("prune", "--quiet").output
        app.config["KEEP_RECEIPTS_DAYS"] = "a while"
        refused = cli("prune")
        assert refused.exit_code == 1
        assert "KEEP_RECEIPTS_DAYS must be a number of days, 0 or more; got 'a while'" in (
            refused.output
        )
    finally:
        app.config.pop("KEEP_IDEMPOTENCY_HOURS")
        app.config.pop("KEEP_RECEIPTS_DAYS")
    negative = cli("prune", "--delivered-days", "-1")
    assert negative.exit_code == 2 and "--delivered-days" in negative.output
