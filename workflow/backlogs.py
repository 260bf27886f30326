"""What waits to go out: the outbox's deliveries and the notifications' mails (for /metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models.notifications import MailStatus, Notification
from workflow.models.webhooks import DeliveryStatus, OutboxDelivery


@dataclass(frozen=True)
class Backlog:
    """What waits in one queue: how many, since when, and how many gave up."""

    waiting: int
    oldest: datetime | None
    dead: int

    def oldest_age(self, now: datetime) -> float:
        return (now - self.oldest).total_seconds() if self.oldest is not None else 0.0


def read(session: Session) -> dict[str, Backlog]:
    """The outbox's deliveries and the notifications' mails still to go, read now.

    Read at every scrape, so each figure is one index's range: the counts by status, and
    the oldest waiting row by the smallest id waiting (ids grow with time), then that one
    row's time. Not ``min(created_at)``, which reads every waiting row.
    """
    return {
        "outbox": _backlog(
            session,
            OutboxDelivery,
            OutboxDelivery.status,
            DeliveryStatus.PENDING,
            DeliveryStatus.DEAD,
        ),
        "notifications": _backlog(
            session, Notification, Notification.mail_status, MailStatus.PENDING, MailStatus.DEAD
        ),
    }


def _backlog(session: Session, model, status, waiting: str, dead: str) -> Backlog:
    count = session.scalar(select(func.count()).where(status == waiting))
    first = session.scalar(select(func.min(model.id)).where(status == waiting))
    oldest = session.get(model, first).created_at if first is not None else None
    given_up = session.scalar(select(func.count()).where(status == dead))
    return Backlog(count or 0, oldest, given_up or 0)
