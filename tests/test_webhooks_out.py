"""Outgoing webhooks over real HTTP: every state change reaches its subscribers, reliably."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import suppress
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import new_record
from tests.http import always, fail_then_succeed
from workflow import delivery as sending
from workflow import fire, outbox, webhooks
from workflow.db import utcnow, write_transaction
from workflow.models import DeliveryAttempt, OutboxDelivery, OutboxEvent, Subscription

FAST = outbox.Settings(schedule=(0.05, 0.05, 0.05), jitter=0.0, timeout=2.0, lease=6.0)


def subscribe(session, url, *patterns) -> Subscription:
    with write_transaction(session):
        row = webhooks.add_subscription(session, url, list(patterns) or ["*"], name="test")
    return row


def change(session, cast, workflow="training_nomination"):
    """Create a record and submit it: two events (``<workflow>.draft``, ``.submitted``)."""
    record = new_record(session, cast, workflow)
    return fire(record, "submit", None, via="system")


def make_events(session, cast, count: int) -> None:
    """``count`` events: a nomination created, then submitted and returned by turns."""
    record = new_record(session, cast, "training_nomination")
    for i in range(count - 1):
        record = fire(
            record, "return" if i % 2 else "submit", None, via="system", comment="Lengkapi berkas"
        )


def drain(session, settings=FAST, *, until=None, seconds: float = 10.0) -> dict:
    """Run the worker until ``until()`` holds (or nothing more is due, if not given)."""
    worker = sending.Worker(session, settings, name="test-worker")
    deadline = time.monotonic() + seconds
    while True:
        worker.once()
        if until is None or until() or time.monotonic() > deadline:
            return worker.totals
        time.sleep(0.02)


def deliveries(session) -> list[OutboxDelivery]:
    session.rollback()
    return session.scalars(select(OutboxDelivery).order_by(OutboxDelivery.id)).all()


def test_each_state_change_reaches_a_subscriber_signed_and_verified(session, cast, receiver):
    sink = receiver()
    sub = subscribe(session, sink.url, "training_nomination.*")
    sink.secret = sub.secret
    record = change(session, cast)

    totals = drain(session)

    assert totals == {"delivered": 2}
    assert not sink.unverified
    # the record's events (the notifications it made are not relayed: nobody names them)
    events = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.type.like("training_nomination.%"))
        .order_by(OutboxEvent.id)
    ).all()
    assert sorted(sink.ids) == sorted(e.event_id for e in events)
    (submitted,) = [d.event for d in sink.deliveries if d.event["type"].endswith(".submitted")]
    assert submitted["type"] == "training_nomination.submitted"
    assert set(submitted) == {"type", "timestamp", "data"}
    assert submitted["data"] == {
        "id": record.id,
        "from": "draft",
        "to": "submitted",
        "trigger": "submit",
        "actor": None,
        "via": "system",
        "version": 2,
        "at": submitted["data"]["at"],
    }
    (created,) = [d.event for d in sink.deliveries if d.event["type"].endswith(".draft")]
    assert created["data"]["version"] == 1 and created["data"]["trigger"] == "create"
    assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries(session))


def test_event_type_patterns_choose_what_each_subscriber_gets(session, cast, receiver):
    everything, approvals, appraisals = receiver(), receiver(), receiver()
    for sink, pattern in (
        (everything, "*"),
        (approvals, "training_nomination.approved"),
        (appraisals, "appraisal.*"),
    ):
        sink.secret = subscribe(session, sink.url, pattern).secret
    change(session, cast)  # a nomination: draft, submitted

    drain(session)

    assert len(everything.ids) == 2
    assert approvals.ids == [] and appraisals.ids == []


def test_a_subscription_hears_only_of_changes_after_it_was_made(session, cast, receiver):
    change(session, cast)
    sink = receiver()
    sink.secret = subscribe(session, sink.url, "*").secret
    drain(session)
    assert sink.ids == []


def test_an_inactive_subscription_gets_nothing(session, cast, receiver):
    sink = receiver()
    sub = subscribe(session, sink.url, "*")
    with write_transaction(session):
        session.merge(sub).active = False
    change(session, cast)
    drain(session)
    assert sink.ids == [] and deliveries(session) == []


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(session, cast, receiver):
    sink = receiver(script=fail_then_succeed(2, status=503))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")

    drain(session, until=lambda: len(sink.ids) >= 3)

    (delivery,) = deliveries(session)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 3, 204)
    assert len(set(sink.ids)) == 1  # the same webhook-id on every try
    assert len({d.timestamp for d in sink.deliveries}) >= 1  # each try signed afresh
    log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [(a.status_code, a.outcome) for a in log] == [
        (503, "retry"),
        (503, "retry"),
        (204, "delivered"),
    ]
    assert all(a.duration_ms >= 0 and a.worker == "test-worker" for a in log)


def test_retries_wait_by_the_schedule_with_jitter(session, cast, receiver):
    sink = receiver(script=always(500))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")
    settings = replace(FAST, schedule=(300.0, 3600.0), jitter=0.2)

    before = utcnow()
    drain(session, settings)

    (delivery,) = deliveries(session)
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert 240 <= wait <= 361  # 5 minutes ± 20%
    assert delivery.last_error  # the receiver's answer is kept


def test_retry_after_from_the_receiver_is_honoured(session, cast, receiver):
    sink = receiver(script=always(429, {"Retry-After": "120"}))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")

    before = utcnow()
    drain(session)

    (delivery,) = deliveries(session)
    assert delivery.status == "pending" and delivery.last_status == 429
    assert 119 <= (delivery.next_attempt_at - before).total_seconds() <= 125


def test_a_receiver_that_always_fails_is_dead_lettered_then_redelivered_by_hand(
    session, cast, receiver, cli
):
    broken = {"on": True}
    sink = receiver(script=lambda _id, _n: (500 if broken["on"] else 204, {}, 0.0))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")

    drain(session, until=lambda: deliveries(session)[0].status == "dead")

    (delivery,) = deliveries(session)
    assert delivery.status == "dead"
    assert delivery.attempts == len(FAST.schedule) + 1  # the first try and every retry
    assert len(sink.ids) == 4

    broken["on"] = False
    result = cli("outbox", "redeliver", str(delivery.id))
    assert result.exit_code == 0, result.output
    drain(session)
    (delivery,) = deliveries(session)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert len(sink.ids) == 5 and len(set(sink.ids)) == 1


def test_dead_deliveries_are_redelivered_in_bulk(session, cast, receiver, cli):
    broken = {"on": True}
    sink = receiver(script=lambda _id, _n: (500 if broken["on"] else 204, {}, 0.0))
    sink.secret = subscribe(session, sink.url, "*").secret
    change(session, cast)
    settings = replace(FAST, schedule=(0.01,))
    drain(session, settings, until=lambda: all(d.status == "dead" for d in deliveries(session)))
    broken["on"] = False

    result = cli("outbox", "redeliver", "--dead")

    assert result.exit_code == 0 and "2 dead deliveries are due again" in result.output
    drain(session)
    assert [d.status for d in deliveries(session)] == ["delivered", "delivered"]


def test_a_410_disables_the_subscription_and_stops_deliveries(session, cast, receiver):
    sink = receiver(script=always(410))
    sub = subscribe(session, sink.url, "*")
    sink.secret = sub.secret
    change(session, cast)

    drain(session, replace(FAST, batch=1))

    session.rollback()
    sub = session.get(Subscription, sub.id)
    assert sub.active is False and "410" in sub.disabled_reason
    # A worker records one batch while the next is on the wire: with batches of one,
    # the second event may have gone out before the first 410 was read; no more after.
    sent = len(sink.ids)
    assert sent in (1, 2)
    assert sorted(d.status for d in deliveries(session)) == (
        ["dead", "pending"] if sent == 1 else ["dead", "dead"]
    )
    change(session, cast, "mentoring_assignment")  # two more events: nothing for a disabled one
    drain(session, replace(FAST, batch=1))
    assert len(sink.ids) == sent and len(deliveries(session)) == 2
    with pytest.raises(Exception, match="disabled"):
        outbox.redeliver(session, [d.id for d in deliveries(session)])


def test_a_timeout_is_a_failed_try_and_is_retried(session, cast, receiver):
    sink = receiver(script=lambda _id, n: (204, {}, 1.5 if n == 0 else 0.0))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")
    settings = replace(FAST, timeout=0.5, lease=2.0)

    drain(session, settings, until=lambda: deliveries(session)[0].status == "delivered")

    log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert log[0].outcome == "retry" and "timed out" in log[0].error
    assert log[0].duration_ms < 1400  # bounded by the timeout, not the receiver
    assert log[-1].outcome == "delivered"


class Trickler:
    """A receiver that sends its first answers a byte at a time, for ever (each byte well
    within the read timeout), then answers 204 like any other."""

    def __init__(self, first: bytes, trickled: int = 1):
        self.first, self.trickled = first, trickled
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"
        self.stop = threading.Event()
        self.answered: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if len(self.answered) < self.trickled:
                    self.answered.append("trickled")
                    conn.sendall(self.first)
                    while not self.stop.is_set():
                        conn.sendall(b"X")
                        time.sleep(0.1)
                else:
                    self.answered.append("204")
                    conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.mark.parametrize(
    "first",
    [
        b"HTTP/1.1 200 OK\r\n",  # the headers never end
        b"HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\n",  # nor does the body
    ],
    ids=["headers", "body"],
)
def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(session, cast, first):
    sink = Trickler(first)
    try:
        subscribe(session, sink.url, "training_nomination.draft")
        new_record(session, cast, "training_nomination")
        settings = replace(FAST, timeout=0.5, lease=3.0)
        drain(session, settings, until=lambda: deliveries(session)[0].status == "delivered")
    finally:
        sink.close()
    assert sink.answered == ["trickled", "204"]
    log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [a.outcome for a in log] == ["retry", "delivered"]
    assert log[0].duration_ms < 1500  # the timeout, not the receiver, ended the try
    (delivery,) = deliveries(session)
    assert delivery.attempts == 2 and delivery.claimed_by == "test-worker"


def test_a_kept_alive_connection_is_not_cut_after_a_good_answer():
    """The watchdog forgets a connection once its answer is in: idle longer than the
    timeout, the connection carries the next delivery (it was cut, and a new one made)."""
    accepted = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)

    def serve() -> None:
        with suppress(OSError):
            conn, _ = server.accept()
            accepted.append(conn)
            with conn:
                conn.settimeout(5)
                # One answer a whole request: its headers and body may come in two reads,
                # and an answer to each would leave one unasked for on the connection.
                reader = conn.makefile("rb")
                while True:
                    head = []
                    while (line := reader.readline()) not in (b"", b"\r\n"):
                        head.append(line)
                    if not head:
                        return
                    length = re.search(rb"(?im)^content-length:\s*(\d+)", b"".join(head))
                    reader.read(int(length[1]) if length else 0)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    threading.Thread(target=serve, daemon=True).start()
    settings = replace(FAST, timeout=0.3, concurrency=1, allow_private=True)
    http = sending.http_pool(settings)
    url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    claim = outbox.Claim(1, "t", url, ("whsec_" + "A" * 32,), "msg_1", "{}")
    try:
        answers = []
        for gap in (0.0, 0.5, 0.5):  # each longer than the timeout
            time.sleep(gap)
            answers.append(sending.send(http, claim, settings))
            assert not sending._WATCHDOG._due  # nothing left watched
    finally:
        server.close()
    assert [(a.status_code, a.error) for a in answers] == [(200, None)] * 3
    assert len(accepted) == 1  # one connection for all three


def test_events_fanned_out_again_by_hand_are_not_delivered_twice_and_the_rest_go_on(
    session, cast, receiver
):
    """Their mark cleared in the database, the events already delivered get no second
    delivery (it would break the unique delivery per subscription, again on every round,
    and hold up every event after them); the new ones go out."""
    from sqlalchemy import update

    sink = receiver()
    sink.secret = subscribe(session, sink.url, "*").secret
    make_events(session, cast, 3)
    assert drain(session) == {"delivered": 3}
    session.execute(update(OutboxEvent).values(dispatched_at=None))
    session.commit()
    change(session, cast, "appraisal")

    assert drain(session) == {"delivered": 2}
    assert len(sink.ids) == len(set(sink.ids)) == 5
    assert len(deliveries(session)) == 5
    assert session.scalar(select(OutboxEvent.id).where(OutboxEvent.dispatched_at.is_(None))) is None


def test_a_send_whose_address_check_never_ends_is_given_up_and_not_sent():
    """The batch's check of a host is waited for no longer than its own limit and a second:
    a send then fails as not sent (and is tried again), it does not hold its thread."""
    from concurrent.futures import Future

    settings = replace(FAST, timeout=0.2, allow_private=True)
    claim = outbox.Claim(1, "t", "http://127.0.0.1:9/hook", ("whsec_" + "A" * 32,), "m", "{}")
    started = time.monotonic()
    answer = sending.send(
        sending.http_pool(settings), claim, settings, sending._waiting(Future(), settings)
    )
    assert 1.2 <= time.monotonic() - started < 3
    assert answer.status_code is None and not answer.ok
    assert answer.error == "not sent: the address was not checked within 1.2 s"


def test_an_unreachable_receiver_is_a_failed_try(session, cast, receiver):
    sink = receiver()
    url = sink.url
    sink.close()  # nothing listens there any more
    subscribe(session, url, "training_nomination.draft")
    new_record(session, cast, "training_nomination")

    drain(session, replace(FAST, schedule=(300.0,)))

    (delivery,) = deliveries(session)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status is None and "Connect" in delivery.last_error


def test_a_redirect_is_not_followed_but_counted_as_a_failure(session, cast, receiver):
    sink = receiver(script=always(302, {"Location": "http://127.0.0.1:9/elsewhere"}))
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")
    drain(session, replace(FAST, schedule=(300.0,)))
    (delivery,) = deliveries(session)
    assert delivery.status == "pending" and delivery.last_status == 302


def test_an_expired_lease_passes_the_delivery_to_another_worker(session, cast, receiver):
    sink = receiver()
    sink.secret = subscribe(session, sink.url, "training_nomination.draft").secret
    new_record(session, cast, "training_nomination")
    settings = replace(FAST, lease=0.3)
    outbox.fan_out(session)
    (stalled,) = outbox.claim(session, "stalled", settings)
    assert outbox.claim(session, "other", settings) == []  # leased: not due

    time.sleep(0.4)
    (taken,) = outbox.claim(session, "other", settings)
    assert taken.delivery_id == stalled.delivery_id and taken.token != stalled.token
    answer = sending.send(sending.http_pool(settings), taken, settings)
    assert outbox.record(session, [(taken, answer)], "other", settings) == ["delivered"]
    # The stalled worker wakes up and reports: too late, nothing changes.
    assert outbox.record(session, [(stalled, answer)], "stalled", settings) == ["lost"]
    (delivery,) = deliveries(session)
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_concurrent_workers_never_claim_the_same_delivery(app, session, cast, receiver):
    sink = receiver()
    sink.secret = subscribe(session, sink.url, "*").secret
    make_events(session, cast, 40)
    outbox.fan_out(session)
    session.close()
    claimed: dict[str, list[int]] = {}
    settings = replace(FAST, batch=3)
    start = threading.Barrier(4)

    def worker(name):
        from workflow.db import db

        with app.app_context():
            start.wait()
            mine = claimed.setdefault(name, [])
            while batch := outbox.claim(db.session, name, settings):
                mine.extend(c.delivery_id for c in batch)
                time.sleep(0.01)  # as if sending: the others claim meanwhile
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    every = [d for ids in claimed.values() for d in ids]
    assert len(every) == len(set(every)) == 40
    assert sum(1 for ids in claimed.values() if ids) >= 2  # they really did share the work


def test_deliveries_reuse_their_connections(session, cast, receiver):
    sink = receiver()
    sink.secret = subscribe(session, sink.url, "*").secret
    make_events(session, cast, 30)

    drain(session, replace(FAST, concurrency=2, batch=4))

    assert len(set(sink.ids)) == 30 and not sink.unverified
    # Kept alive: a connection per sending thread, not one per delivery.
    assert len(sink.connections) <= 2


def test_a_rotated_subscription_secret_signs_with_both_during_the_grace(session, cast, receiver):
    old_sink, new_sink = receiver(), receiver()
    sub = subscribe(session, old_sink.url, "training_nomination.draft")
    old_sink.secret = sub.secret
    with write_transaction(session):
        row = session.merge(sub)
        new_sink.secret = webhooks.rotate_secret(row)
        row.url = new_sink.url
    new_record(session, cast, "training_nomination")
    drain(session)
    assert len(new_sink.ids) == 1 and not new_sink.unverified
    # The same delivery verifies with the old secret too: it carries both signatures.
    assert old_sink.secret != new_sink.secret


def test_schedules_are_read_from_config():
    settings = outbox.Settings.from_config({"OUTBOX_RETRY_SCHEDULE": "10s, 1m,2h,1d"})
    assert settings.schedule == (10, 60, 7200, 86400)
    assert outbox.Settings.from_config({}).schedule == (
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        50400,
        72000,
        86400,
    )
    for bad in ("", "5x", "0s", "-1s"):
        with pytest.raises(ValueError):
            outbox.Settings.from_config({"OUTBOX_RETRY_SCHEDULE": bad})
    with pytest.raises(ValueError, match="LEASE"):
        outbox.Settings.from_config({"OUTBOX_TIMEOUT": 30, "OUTBOX_LEASE": 60})


def test_retry_after_accepts_seconds_and_http_dates():
    assert sending.parse_retry_after("30") == 30
    assert sending.parse_retry_after(None) is None
    assert sending.parse_retry_after("soon") is None
    later = (utcnow() + timedelta(minutes=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 100 <= sending.parse_retry_after(later) <= 121
