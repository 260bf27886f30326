"""A user's own choices: the language they read, how they are mailed each kind of notice.

Commands of the core as every write is: checked, in one transaction, logged. A user
changes their own choices only (the system may set anyone's).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow import changes, notify, policy
from workflow.db import utcnow, write_transaction
from workflow.errors import Forbidden, InvalidPayload, Text
from workflow.models import MailMode, Notification, NotificationSetting, User

LOCALES = ("id", "en")


def _own(actor: User | None, user: User) -> None:
    if actor is not None and actor.id != user.id:
        raise Forbidden("you may change only your own preferences")


def choose_language(session: Session, actor: User | None, user: User, locale: str, *, via: str):
    """Record the language ``user`` reads (their mails are written in it)."""
    _own(actor, user)
    if locale not in LOCALES:
        raise InvalidPayload(
            "unknown language", {"locale": [Text("One of: %(codes)s.", codes=LOCALES)]}
        )
    if user.locale == locale:
        return
    with write_transaction(session):
        before = {"locale": user.locale}
        user.locale = locale
        changes.record(session, actor, user, "choose_language", before, {"locale": locale}, via=via)


def modes(session: Session, user: User) -> dict[str, str]:
    """How ``user`` is mailed each kind (at once unless they chose otherwise)."""
    chosen = dict(
        session.execute(
            select(NotificationSetting.kind, NotificationSetting.mode).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    return {kind: str(chosen.get(kind, MailMode.NOW.value)) for kind in notify.KINDS}


def set_modes(session: Session, actor: User | None, user: User, wanted: dict, *, via: str):
    """Set how ``user`` is mailed each kind named in ``wanted`` (kind → now, digest, off)."""
    if actor is not None:
        policy.check(actor, policy.Action.CHANGE, NotificationSetting(user_id=user.id))
    errors = {
        kind: [Text("One of: %(codes)s.", codes=tuple(MailMode))]
        for kind, mode in wanted.items()
        if kind not in notify.KINDS or mode not in set(MailMode)
    }
    if errors:
        raise InvalidPayload("invalid notification settings", errors)
    with write_transaction(session):
        before = modes(session, user)
        for kind, mode in wanted.items():
            row = session.get(NotificationSetting, (user.id, kind))
            if row is None:
                session.add(NotificationSetting(user_id=user.id, kind=kind, mode=mode))
            else:
                row.mode = mode
        session.flush()
        after = modes(session, user)
        if after != before:
            changes.record(session, actor, user, "mail_settings", before, after, via=via)
    return after


def mark_read(session: Session, actor: User, ids: list[int] | None = None, *, via: str) -> int:
    """Mark ``actor``'s notifications read (``ids``, or all); return how many.

    Logged once per command (how many, and which were asked for), not per notification:
    a click on the bell is one entry.
    """
    with write_transaction(session):
        query = update(Notification).where(
            Notification.user_id == actor.id, Notification.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        marked = session.execute(
            query.values(read_at=utcnow()).execution_options(synchronize_session=False)
        ).rowcount
        if marked:
            asked = sorted(set(ids)) if ids is not None else "all"
            after = {"marked": marked, "ids": asked}
            changes.record(session, actor, actor, "mark_read", None, after, via=via)
    return marked
