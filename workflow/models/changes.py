"""The log of changes outside the workflows: reference data, accounts, settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.accounts import User
from workflow.models.audit import JSONType


class ChangeEntry(db.Model):
    """One create, update, delete or other command on a row that is not a workflow record.

    ``before`` and ``after`` hold the changed fields only (all of them on create and
    delete), so an entry says what the command did without a diff of its own.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_model_row", "model", "row_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    via: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    # The agency the row belongs to (None: national or system-wide), for HR's view of it.
    agency_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    comment: Mapped[str | None] = mapped_column(Text)
    # An HMAC of the entry under the audit key ``key_id`` names (``workflow.audit.change_hash``).
    key_id: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
