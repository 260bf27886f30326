"""Notifications: what someone is told, in the back office and by mail, and how they wish it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.accounts import User


class MailStatus(StrEnum):
    PENDING = "pending"  # to be mailed when due
    SENT = "sent"
    DEAD = "dead"  # every attempt failed; redelivered by hand
    DIGEST = "digest"  # waits for the recipient's daily digest
    NONE = "none"  # not mailed: in the back office only (no mail wanted, or no address)


class MailMode(StrEnum):
    NOW = "now"  # segera
    DIGEST = "digest"  # ringkasan harian
    OFF = "off"  # mati: in the back office only


def message_id(event_id: str, user_id: int) -> str:
    """A mail's ``Message-ID``: the same for every resend of one notification."""
    return f"<{event_id}.{user_id}@alur>"


class Notification(db.Model):
    """One thing one user is told, caused by one outbox event; mailed at most once.

    ``(event_id, user_id)`` is unique: an event tells a person once, whatever the rules
    that name them, and a fan-out run again after a crash inserts nothing new.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
        CheckConstraint(
            "mail_status IN (" + ", ".join(f"'{s.value}'" for s in MailStatus) + ")",
            name="mail_status",
        ),
        Index("ix_notifications_user_page", "user_id", "id"),
        Index("ix_notifications_mail_due", "mail_status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    workflow: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str | None] = mapped_column(String(24))
    event_id: Mapped[str] = mapped_column(String(64))  # the outbox event that caused it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_status: Mapped[str] = mapped_column(String(8), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()

    @property
    def message_id(self) -> str:
        """The mail's ``Message-ID``: the same on every resend of this notification."""
        return message_id(self.event_id, self.user_id)


class NotificationSetting(db.Model):
    """How one user wishes to be mailed one kind of notification (the default: at once)."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint(
            "mode IN (" + ", ".join(f"'{m.value}'" for m in MailMode) + ")", name="mode"
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), default=MailMode.NOW)


class NotificationDigest(db.Model):
    """One user's daily digest: the notifications they wished to read once a day, mailed as one.

    ``(user_id, day)`` is unique: at most one digest a day, whatever the count. It holds
    the user's digest notifications up to ``upto_id`` (those after it wait for the next).
    """

    __tablename__ = "notification_digests"
    __table_args__ = (
        UniqueConstraint("user_id", "day", name="uq_notification_digests_user_day"),
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        Index("ix_notification_digests_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)  # in the user's zone
    upto_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def message_id(self) -> str:
        return f"<digest-{self.user_id}-{self.day.isoformat()}@alur>"
