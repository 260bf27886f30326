"""Webhooks both ways: clients that send us signed steps, subscribers we send events to.

Incoming: a ``WebhookClient`` acts through its own external-system account and
may fire only the ``<workflow>.<trigger>`` steps it was granted; every request
it sends is kept as a ``WebhookReceipt``. Outgoing: each ``OutboxEvent`` is
fanned out to the matching ``Subscription``\\ s as ``OutboxDelivery`` rows, and
every try of a delivery is a ``DeliveryAttempt``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.accounts import User
from workflow.models.audit import JSONType, OutboxEvent
from workflow.sealing import seal, unseal


class SecretMixin:
    """A ``whsec_`` signing secret, and the one it replaced while a rotation is in grace.

    Both are kept encrypted (``workflow.sealing``) in the columns ``secret`` and
    ``previous_secret``; ``secret`` and ``secrets()`` decrypt them, and only the
    code that signs or verifies (or shows a new secret once) reads them.
    """

    sealed_secret: Mapped[str] = mapped_column("secret", String(255))
    sealed_previous_secret: Mapped[str | None] = mapped_column("previous_secret", String(255))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def secret(self) -> str:
        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.sealed_secret = seal(plain)

    def secrets(self, now: datetime) -> list[str]:
        """The secrets valid at ``now``: the current one first."""
        valid = [self.secret]
        if (
            self.sealed_previous_secret
            and self.previous_secret_until
            and now < self.previous_secret_until
        ):
            valid.append(unseal(self.sealed_previous_secret))
        return valid


class WebhookClient(SecretMixin, db.Model):
    """An external system allowed to fire the steps in ``grants`` by signed webhook."""

    __tablename__ = "webhook_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    grants: Mapped[list] = mapped_column(JSONType, default=list)  # "<workflow>.<trigger>"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookClient {self.name}>"

    def __str__(self) -> str:
        return self.name


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class WebhookReceipt(db.Model):
    """One request received at a client's webhook endpoint, and what became of it.

    An accepted receipt is written in the same transaction as the step it
    applied; its partial unique index is what lets a ``webhook-id`` apply at
    most once per client. ``result`` is the first answer, given again to repeats.
    """

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        Index(
            "uq_webhook_receipts_accepted",
            "client_id",
            "webhook_id",
            unique=True,
            postgresql_where=text("outcome = 'accepted'"),
            sqlite_where=text("outcome = 'accepted'"),
        ),
        Index("ix_webhook_receipts_client_id_id", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_clients.id"))
    client_name: Mapped[str] = mapped_column(String(64))  # as addressed, for unknown clients
    webhook_id: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(80))
    record_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))
    error: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSONType)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    client: Mapped[WebhookClient | None] = relationship()


class Subscription(SecretMixin, db.Model):
    """A receiver of events: a URL, the event types it wants, and its signing secret.

    ``event_types`` holds patterns: ``*``, ``appraisal.*`` or an exact type
    such as ``training_nomination.approved``.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.url}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.url})" if self.name != self.url else self.url


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (or leased to a worker until then)
    DELIVERED = "delivered"
    DEAD = "dead"  # out of retries, or the subscription is gone: only redelivery revives it


class OutboxDelivery(db.Model):
    """One event for one subscription, until it is delivered or dead.

    A worker claims a pending, due delivery by pushing ``next_attempt_at`` past
    its lease and stamping ``lease_token``; if it dies, the delivery is simply
    due again when the lease runs out. A result is kept only by the holder of
    the current lease.
    """

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        Index(
            "ix_outbox_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_outbox_deliveries_subscription_id_id", "subscription_id", "id"),
        Index("ix_outbox_deliveries_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed: an event is pruned once no delivery refers to it (workflow.retention)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # since created or redelivered
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[OutboxEvent] = relationship()
    subscription: Mapped[Subscription] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        order_by="DeliveryAttempt.id", viewonly=True
    )


class DeliveryAttempt(db.Model):
    """One try of one delivery: what the receiver answered, and how long it took."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbox_deliveries.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(12))  # delivered, retry, dead, gone, lost
    worker: Mapped[str] = mapped_column(String(100))
