"""The notification mail phase: the worker's mails/s against an SMTP sink's own ceiling,
notifications per transition, and a burst of items waiting for the daily digest."""

from __future__ import annotations

import smtplib
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from bench.harness import FLASK, ROOT, env_for, free_port
from bench.load import app_for


class Sink:
    """An SMTP server that counts what it is sent, and when the first and last came."""

    def __init__(self):
        self.count, self.first, self.last = 0, None, None
        self.recipients: dict[str, int] = {}
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self._lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
            for to in envelope.rcpt_tos:
                self.recipients[to] = self.recipients.get(to, 0) + 1
        return "250 OK"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()

    def reset(self):
        with self._lock:
            self.count, self.first, self.last = 0, None, None
            self.recipients.clear()


def ceiling(sink: Sink, mails: int, connections: int) -> float:
    """Mails/s the sink takes from plain SMTP clients: the better of one connection and of
    ``connections`` side by side (as many as the worker opens)."""
    message = EmailMessage()
    message["Subject"] = "[Alur] Penilaian kinerja menunggu tindakan Anda: Pegawai · Tahunan 2025"
    message["From"], message["To"] = "Alur <noreply@alur.localhost>", "ceiling@bench.alur.id"
    message.set_content("Yth. Pegawai,\n\n" + "Penilaian kinerja menunggu tindakan Anda.\n" * 8)
    message.add_alternative("<p>" + "Penilaian kinerja menunggu tindakan Anda.</p>" * 8, "html")

    def client(count: int) -> None:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
            for _ in range(count):
                smtp.send_message(message)

    rates = []
    for lanes in sorted({1, connections}):
        sink.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(lanes) as pool:
            for done in [pool.submit(client, mails // lanes) for _ in range(lanes)]:
                done.result(timeout=600)
        rates.append(lanes * (mails // lanes) / (time.perf_counter() - started))
    return max(rates)


def _seed(url: str, count: int, mode: str) -> list[str]:
    """``count`` notifications to the users with an address, round robin; their addresses."""
    from sqlalchemy import select, update

    from workflow import notify
    from workflow.db import db, utcnow
    from workflow.models import Appraisal, MailStatus, Notification, User

    with app_for(url).app_context():
        # What the earlier phases led to is not this phase's to send.
        db.session.execute(
            update(Notification)
            .where(Notification.mail_status.in_([MailStatus.PENDING, MailStatus.DIGEST]))
            .values(mail_status=MailStatus.NONE)
        )
        users = db.session.execute(select(User.id, User.email).where(User.active)).all()
        record = db.session.scalar(select(Appraisal.id).limit(1))
        stamp = f"{mode}-{time.time_ns()}"
        told = [
            notify.Told(
                users[i % len(users)].id,
                "waiting",
                "appraisal",
                record,
                "submitted",
                f"{stamp}-{i}",
            )
            for i in range(count)
        ]
        for start in range(0, count, 10_000):
            notify.write(db.session, told[start : start + 10_000], utcnow())
        if mode == "digest":
            db.session.execute(
                update(Notification)
                .where(Notification.event_id.like(f"{stamp}-%"))
                .values(mail_status=MailStatus.DIGEST, next_attempt_at=None)
            )
        db.session.commit()
        return [email for _id, email in users]


# The worker's SMTP connections (ALUR_MAIL_CONNECTIONS, its default).
CONNECTIONS = 4


def _work(url: str, sink: Sink, **extra: str) -> float:
    """``flask outbox work --once`` mailing to the sink; its wall time."""
    env = env_for(
        url,
        ALUR_MAIL_SERVER="127.0.0.1",
        ALUR_MAIL_PORT=str(sink.port),
        ALUR_AUDIT_CHECKPOINT_MINUTES="0",
        ALUR_OUTBOX_BATCH="200",
        ALUR_MAIL_CONNECTIONS=str(CONNECTIONS),
        **extra,
    )
    started = time.perf_counter()
    subprocess.run(
        [*FLASK, "outbox", "work", "--once", "--quiet"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=3600,
    )
    return time.perf_counter() - started


def per_transition(url: str) -> float | None:
    """Notifications written per record event fanned out so far (the transitions' events)."""
    from sqlalchemy import func, select

    from workflow.db import db
    from workflow.models import Notification, OutboxEvent

    with app_for(url).app_context():
        events = db.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.dispatched_at.is_not(None),
                OutboxEvent.type.not_like("notification.%"),
                OutboxEvent.type.not_like("audit.%"),
            )
        )
        told = db.session.scalar(select(func.count()).select_from(Notification))
    return told / events if events else None


def mail_phase(url: str, mails: int, burst: int) -> dict:
    """The worker's mails/s against the sink's ceiling; a digest burst of ``burst`` items."""
    result = {"notifications_per_event": per_transition(url)}
    with Sink() as sink:
        top = ceiling(sink, mails, CONNECTIONS)
        sink.reset()
        _seed(url, mails, "now")
        _work(url, sink)
        if sink.count < mails:
            raise RuntimeError(f"the worker mailed {sink.count} of {mails}")
        rate = (sink.count - 1) / (sink.last - sink.first) if sink.count > 1 else 0.0
        result.update(
            mails=mails,
            sent=sink.count,
            per_second=rate,
            sink_ceiling_per_s=top,
            ratio=rate / top,
        )
        sink.reset()
        users = _seed(url, burst, "digest")
        seconds = _work(url, sink, ALUR_NOTIFICATION_DIGEST_HOUR="0")
        result["digest"] = {
            "items": burst,
            "users": len(users),
            "mails": sink.count,
            "most_to_one_user": max(sink.recipients.values(), default=0),
            "seconds": seconds,
        }
    return result
