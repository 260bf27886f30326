"""Requests remembered by their idempotency key, so a retry gets the first answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.audit import JSONType


class IdempotentRequest(db.Model):
    """The answer given to one ``Idempotency-Key`` of one user.

    Written in the same transaction as the change the request made, so a key is
    either unused or bound to exactly one applied change and its answer.
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
