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
    """The outbox's deliveries and the notifications' mails still to go, read now."""
    deliveries = OutboxDelivery
    outbox = session.execute(
        select(func.count(), func.min(deliveries.created_at)).where(
            deliveries.status == DeliveryStatus.PENDING
        )
    ).one()
    outbox_dead = session.scalar(
        select(func.count()).where(deliveries.status == DeliveryStatus.DEAD)
    )
    mails = session.execute(
        select(func.count(), func.min(Notification.created_at)).where(
            Notification.mail_status == MailStatus.PENDING
        )
    ).one()
    mails_dead = session.scalar(
        select(func.count()).where(Notification.mail_status == MailStatus.DEAD)
    )
    return {
        "outbox": Backlog(outbox[0], outbox[1], outbox_dead or 0),
        "notifications": Backlog(mails[0], mails[1], mails_dead or 0),
    }
