"""The mail queue of notifications: claim what is due, record what came of sending it.

As webhook deliveries (``workflow.outbox``): a worker leases due notifications
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL) by pushing ``next_attempt_at`` one lease
ahead under a token, sends them outside any transaction (``send``, given by the
adapter that writes the mails), and records each outcome if it still holds the lease:
sent; tried again after the schedule's next delay; dead after the last. A worker that
dies leaves its claims to expire, so a mail is sent at least once; a resend carries
the same ``Message-ID``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from workflow import zones
from workflow.db import utcnow, write_transaction
from workflow.models import (
    Agency,
    Employee,
    MailStatus,
    Notification,
    NotificationDigest,
    User,
)
from workflow.models.notifications import message_id
from workflow.outbox import MAX_ERROR, Settings, forget


@dataclass(frozen=True)
class MailClaim:
    """A notification leased to this worker, with what its mail needs."""

    notification_id: int
    token: str
    to: str
    name: str
    locale: str
    kind: str
    workflow: str | None
    record_id: int | None
    state: str | None
    message_id: str


def claim(session: Session, settings: Settings) -> list[MailClaim]:
    """Lease up to ``settings.batch`` notifications whose mail is due."""
    with write_transaction(session):
        due, token = _lease(session, Notification, Notification.mail_status, settings)
        if not due:
            return []
        rows = session.execute(
            select(
                Notification.id,
                Notification.kind,
                Notification.workflow,
                Notification.record_id,
                Notification.state,
                Notification.event_id,
                Notification.user_id,
                User.email,
                User.name,
                User.locale,
            )
            .join(User, User.id == Notification.user_id)
            .where(Notification.id.in_(due))
            .order_by(Notification.id)
        ).all()
    return [
        MailClaim(
            row.id,
            token,
            row.email,
            row.name,
            row.locale or "id",
            row.kind,
            row.workflow,
            row.record_id,
            row.state,
            message_id(row.event_id, row.user_id),
        )
        for row in rows
    ]


def _lease(session: Session, model, status, settings: Settings) -> tuple[list[int], str]:
    """Lock up to ``settings.batch`` due pending rows of ``model`` and lease them under one
    token (their ``next_attempt_at`` one lease ahead); their ids and the token."""
    now = utcnow()
    due = session.scalars(
        select(model.id)
        .where(status == "pending", model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(settings.batch)
        .with_for_update(skip_locked=True)
    ).all()
    token = uuid.uuid4().hex
    if due:
        session.execute(
            update(model)
            .where(model.id.in_(due))
            .values(lease_token=token, next_attempt_at=now + timedelta(seconds=settings.lease))
            .execution_options(synchronize_session=False)
        )
    return due, token


def _failed(row, error: str, settings: Settings, now) -> bool:
    """Count a failed try of ``row``: due again after the schedule's delay, or (True) dead."""
    row.attempts += 1
    row.last_error = error[:MAX_ERROR]
    delay = settings.delay(row.attempts)
    row.next_attempt_at = None if delay is None else now + timedelta(seconds=delay)
    return delay is None


def record(session: Session, outcomes: list[tuple[MailClaim, str | None]], settings: Settings):
    """Record each mail's outcome (None: sent; else the error); return the counts.

    The sent ones (nearly all) are settled by one UPDATE for the batch, where the lease
    is still this worker's; a failure loads its row to work out the retry.
    """
    counts: dict[str, int] = {}
    sent = [mail for mail, error in outcomes if error is None]
    with write_transaction(session):
        now = utcnow()
        if sent:
            done = session.execute(
                update(Notification)
                .where(
                    Notification.id.in_([mail.notification_id for mail in sent]),
                    Notification.lease_token == sent[0].token,  # one token per claimed batch
                    Notification.mail_status == MailStatus.PENDING,
                )
                .values(mail_status=MailStatus.SENT, sent_at=now, last_error=None, lease_token=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            counts["sent"] = done
            forget(session, Notification, [mail.notification_id for mail in sent])
            if len(sent) - done:
                counts["lost_lease"] = len(sent) - done  # taken over after the lease ran out
        for mail, error in outcomes:
            if error is None:
                continue
            row = session.get(
                Notification, mail.notification_id, with_for_update=True, populate_existing=True
            )
            if row is None or row.lease_token != mail.token:
                counts["lost_lease"] = counts.get("lost_lease", 0) + 1
                continue
            row.lease_token = None
            if _failed(row, error, settings, now):
                row.mail_status, outcome = MailStatus.DEAD, "dead"
            else:
                outcome = "retry"
            counts[outcome] = counts.get(outcome, 0) + 1
    return {k: v for k, v in counts.items() if v}


def drain(session: Session, sender, settings: Settings, *, digest_hour: int = 7) -> dict:
    """Send every mail due now, and the daily digests due; return the counts.

    ``sender.mails(claims)`` and ``sender.digests(claims)`` send a batch and give each
    one's error (None: sent); the adapter that writes the mails provides them.
    """
    totals: dict[str, int] = {}

    def add(counts: dict) -> None:
        for outcome, n in counts.items():
            totals[outcome] = totals.get(outcome, 0) + n

    while claims := claim(session, settings):
        add(record(session, list(zip(claims, sender.mails(claims), strict=True)), settings))
    make_digests(session, digest_hour)
    while digests := claim_digests(session, settings):
        outcomes = list(zip(digests, sender.digests(digests), strict=True))
        add(record_digests(session, outcomes, settings))
    return totals


# -- daily digests (ringkasan harian) -------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    kind: str
    workflow: str | None
    record_id: int | None
    state: str | None


@dataclass(frozen=True)
class DigestClaim:
    """A user's digest leased to this worker: the notifications it gathers."""

    digest_id: int
    token: str
    to: str
    name: str
    locale: str
    day: date
    message_id: str
    items: tuple[DigestItem, ...]


def make_digests(session: Session, hour: int, *, limit: int = 1000) -> int:
    """Open today's digest of each user with notifications waiting for one, once it is
    ``hour`` o'clock where their agency is; return how many were opened."""
    with write_transaction(session):
        waiting = session.execute(
            select(Notification.user_id, func.max(Notification.id))
            .where(Notification.mail_status == MailStatus.DIGEST)
            .group_by(Notification.user_id)
            .limit(limit)
        ).all()
        if not waiting:
            return 0
        provinces = dict(
            session.execute(
                select(User.id, Agency.province)
                .outerjoin(Employee, Employee.id == User.employee_id)
                .outerjoin(Agency, Agency.id == func.coalesce(User.agency_id, Employee.agency_id))
                .where(User.id.in_([user_id for user_id, _ in waiting]))
            ).all()
        )
        now = utcnow()
        opened = []
        for user_id, upto in waiting:
            local = now.astimezone(ZoneInfo(zones.zone_of(provinces.get(user_id))))
            if local.hour < hour:
                continue
            opened.append({"user_id": user_id, "day": local.date(), "upto_id": upto})
        if not opened:
            return 0
        have = set(
            session.execute(
                select(NotificationDigest.user_id, NotificationDigest.day).where(
                    NotificationDigest.user_id.in_([o["user_id"] for o in opened])
                )
            ).all()
        )
        new = [
            {**o, "status": "pending", "attempts": 0, "next_attempt_at": now}
            for o in opened
            if (o["user_id"], o["day"]) not in have  # one a day, whatever the count
        ]
        if new:
            session.execute(insert(NotificationDigest), new)
    return len(new)


def claim_digests(session: Session, settings: Settings) -> list[DigestClaim]:
    """Lease up to ``settings.batch`` due digests, with the notifications each gathers."""
    with write_transaction(session):
        due, token = _lease(session, NotificationDigest, NotificationDigest.status, settings)
        if not due:
            return []
        digests = session.execute(
            select(
                NotificationDigest.id,
                NotificationDigest.user_id,
                NotificationDigest.day,
                NotificationDigest.upto_id,
                User.email,
                User.name,
                User.locale,
            )
            .join(User, User.id == NotificationDigest.user_id)
            .where(NotificationDigest.id.in_(due))
        ).all()
        claims = []
        for d in digests:
            items = session.execute(
                select(
                    Notification.kind,
                    Notification.workflow,
                    Notification.record_id,
                    Notification.state,
                )
                .where(
                    Notification.user_id == d.user_id,
                    Notification.mail_status == MailStatus.DIGEST,
                    Notification.id <= d.upto_id,
                )
                .order_by(Notification.id)
                .limit(DIGEST_ITEMS)
            ).all()
            claims.append(
                DigestClaim(
                    d.id,
                    token,
                    d.email,
                    d.name,
                    d.locale or "id",
                    d.day,
                    f"<digest-{d.user_id}-{d.day.isoformat()}@alur>",
                    tuple(DigestItem(*item) for item in items),
                )
            )
    return claims


# Items listed in one digest; the rest are counted and wait in the back office.
DIGEST_ITEMS = 200


def record_digests(session: Session, outcomes: list[tuple[DigestClaim, str | None]], settings):
    """Record each digest's outcome; a sent one marks the notifications it gathered sent."""
    counts: dict[str, int] = {}
    with write_transaction(session):
        now = utcnow()
        for digest, error in outcomes:
            row = session.get(
                NotificationDigest, digest.digest_id, with_for_update=True, populate_existing=True
            )
            if row is None or row.lease_token != digest.token:
                counts["lost_lease"] = counts.get("lost_lease", 0) + 1
                continue
            row.lease_token = None
            if error is None:
                row.status, row.sent_at, outcome = "sent", now, "digest sent"
                session.execute(
                    update(Notification)
                    .where(
                        Notification.user_id == row.user_id,
                        Notification.mail_status == MailStatus.DIGEST,
                        Notification.id <= row.upto_id,
                    )
                    .values(mail_status=MailStatus.SENT, sent_at=now)
                    .execution_options(synchronize_session=False)
                )
            elif _failed(row, error, settings, now):
                row.status, outcome = "dead", "digest dead"
            else:
                outcome = "digest retry"
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def redeliver_dead(session: Session) -> int:
    """Make every dead mail due again; return how many."""
    with write_transaction(session):
        result = session.execute(
            update(Notification)
            .where(Notification.mail_status == MailStatus.DEAD)
            .values(mail_status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return result.rowcount
