"""A delivery worker killed mid-batch (a real process, SIGKILL) loses no event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from tests.factories import new_record
from tests.http import always
from workflow import fire, webhooks
from workflow.db import write_transaction
from workflow.models import OutboxDelivery, OutboxEvent

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 60
MAILS = 24


def _worker(database_url: str, *args: str, name: str, **extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **extra,
        "DATABASE_URL": database_url,
        "ALUR_OUTBOX_LEASE": "2",
        "ALUR_AUDIT_CHECKPOINT_MINUTES": "0",  # its events only: no checkpoint's among them
        "ALUR_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on 127.0.0.1
        "ALUR_OUTBOX_TIMEOUT": "0.6",
        "ALUR_OUTBOX_BATCH": "8",
        "ALUR_OUTBOX_CONCURRENCY": "2",
        "ALUR_OUTBOX_POLL": "0.1",
        "ALUR_OUTBOX_RETRY_SCHEDULE": "0.2s,0.2s,0.2s",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work", "--name", name, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_worker_killed_mid_batch_loses_no_event(session, cast, receiver, database_url):
    sink = receiver(script=always(204, delay=0.15))  # slow enough to be killed mid-batch
    with write_transaction(session):
        sink.secret = webhooks.add_subscription(session, sink.url, ["*"], name="crash").secret
    record = new_record(session, cast, "training_nomination")
    for i in range(EVENTS - 1):
        record = fire(
            record, "return" if i % 2 else "submit", None, via="system", comment="Lengkapi berkas"
        )
    expected = set(session.scalars(select(OutboxEvent.event_id)))
    assert len(expected) == EVENTS
    session.close()

    doomed = _worker(database_url, name="doomed")
    try:
        _wait_for(lambda: len(sink.ids) >= 12, 60, "the first deliveries")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    received_before_kill = len(sink.ids)
    leased = session.scalars(
        select(OutboxDelivery).where(
            OutboxDelivery.status == "pending", OutboxDelivery.claimed_by == "doomed"
        )
    ).all()
    assert leased, "the worker died holding claims (mid-batch)"
    session.close()

    time.sleep(2.1)  # its leases run out
    survivor = _worker(database_url, "--once", name="survivor")
    output, _ = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, output

    received = Counter(sink.ids)
    assert set(received) == expected  # every event arrived at least once
    duplicates = sum(n - 1 for n in received.values())
    statuses = Counter(session.scalars(select(OutboxDelivery.status)))
    assert statuses == {"delivered": EVENTS}
    assert not sink.unverified
    print(
        f"\ncrash test: {EVENTS} events; {received_before_kill} received before SIGKILL, "
        f"{len(leased)} leases held by the dead worker; after recovery {len(sink.ids)} "
        f"deliveries received, {len(received)} distinct, {duplicates} duplicates"
    )


def test_a_worker_killed_while_mailing_loses_no_notification(session, cast, database_url, mails):
    from tests.workflow_paths import bring_to
    from workflow.models import Notification

    # A slow server and two connections: a batch of 8 takes four rounds of 0.2 s, so the
    # fifth mail comes in the middle of the first batch and the worker dies holding it.
    mails.delay = 0.2
    for year in range(2001, 2001 + MAILS):
        bring_to(new_record(session, cast, "appraisal", year=year), "submitted")
    session.close()
    smtp = {
        "ALUR_MAIL_SERVER": "127.0.0.1",
        "ALUR_MAIL_PORT": str(mails.port),
        "ALUR_MAIL_CONNECTIONS": "2",
    }

    doomed = _worker(database_url, name="doomed", **smtp)
    try:
        _wait_for(lambda: len(mails.messages) >= 5, 60, "the first mails")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    before = len(mails.messages)
    held = session.scalars(
        select(Notification).where(
            Notification.mail_status == "pending", Notification.lease_token.is_not(None)
        )
    ).all()
    assert held, "the worker died holding mails it had claimed"
    session.close()

    time.sleep(2.1)  # its leases run out
    survivor = _worker(database_url, "--once", name="survivor", **smtp)
    output, _ = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, output

    notes = session.scalars(select(Notification)).all()
    assert len(notes) == MAILS and {n.mail_status for n in notes} == {"sent"}
    received = Counter(str(m["Message-ID"]).strip() for m in mails.messages)
    assert set(received) == {n.message_id for n in notes}  # each sent at least once
    duplicates = sum(n - 1 for n in received.values())
    assert len(mails.messages) == MAILS + duplicates  # a resend carries its Message-ID
    print(
        f"\nmail crash test: {MAILS} mails; {before} received before SIGKILL, "
        f"{len(held)} claims held by the dead worker; {duplicates} duplicates after recovery"
    )
