"""API tokens and login sessions: tokens issued once in the clear, kept only as a hash,
expiring by default and revocable by their owner; logging out ends every session."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from workflow import changes, policy
from workflow.db import utcnow, write_transaction
from workflow.errors import InvalidPayload, NotFound, Text
from workflow.models.accounts import ApiToken, User
from workflow.settings import rules

TOKEN_PREFIX = "alur_"
NAME_LENGTH = 100


class _Default:
    """The lifetime the operator set (``API_TOKEN_DAYS``; 0: tokens do not expire)."""


DEFAULT = _Default()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(valid_for: timedelta | _Default | None) -> timedelta | None:
    if isinstance(valid_for, _Default):
        days = rules().api_token_days
        return timedelta(days=days) if days else None
    return valid_for


def issue(
    session: Session, user: User, name: str, *, valid_for: timedelta | _Default | None = DEFAULT
) -> tuple[ApiToken, str]:
    """Add a token for ``user``; return the row and the token, which is never stored.

    It expires after the operator's default lifetime unless ``valid_for`` says
    otherwise (None: never). Callers outside the core use ``create``.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = _lifetime(valid_for)
    row = ApiToken(
        user=user,
        user_id=user.id,  # the policy asks whose it is before the row is flushed
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=_digest(token),
        expires_at=utcnow() + lifetime if lifetime is not None else None,
    )
    session.add(row)
    return row, token


def _printable(text: str) -> bool:
    # Control and format characters (a right-to-left override shows a name reversed),
    # line and paragraph separators: none belongs in a name read in a list.
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH or not _printable(name):
        message = Text("a token's name is 1 to %(most)s printable characters", most=NAME_LENGTH)
        raise InvalidPayload(message, {"name": [message]})
    return name


def create(
    session: Session,
    actor,
    owner: User,
    name: str,
    *,
    via: str,
    valid_for: timedelta | _Default | None = DEFAULT,
) -> tuple[ApiToken, str]:
    """Issue a token for ``owner`` if ``actor`` may (themselves, or an admin); logged.

    ``actor`` None is the system (the operator's command line).
    """
    name = _checked_name(name)
    if not owner.active:
        raise InvalidPayload(
            "%(email)s is deactivated", {"user": ["deactivated"]}, {"email": owner.email}
        )
    made: list[str] = []

    def build() -> ApiToken:
        row, token = issue(session, owner, name, valid_for=valid_for)
        made.append(token)
        return row

    row = changes.make(session, actor, build, via=via)
    return row, made[0]


def visible(session: Session, actor, token_id: int) -> ApiToken:
    """The token ``token_id`` if ``actor`` may see it (None: the system); else NotFound."""
    row = session.get(ApiToken, token_id)
    if row is None or (actor is not None and not policy.can_see(actor, row)):
        raise NotFound("API token %(id)s does not exist", {"id": token_id})
    return row


def revoke(session: Session, actor, token_id: int, *, via: str) -> ApiToken:
    """Revoke a token by id if ``actor`` may (its owner, or an admin); logged once.

    Revoking a revoked token changes nothing. A token one may not see is NotFound.
    """
    row = visible(session, actor, token_id)
    if row.revoked_at is not None:
        return row

    def _revoke(r: ApiToken) -> ApiToken:
        r.revoked_at = utcnow()
        return r

    return changes.run(session, actor, row, "revoke", _revoke, via=via)


@cache
def _by_hash():
    # Every API request asks: built once, so its cache key is not worked out anew each time.
    return (
        select(ApiToken)
        .where(ApiToken.token_hash == bindparam("token_hash"))
        .options(joinedload(ApiToken.user).joinedload(User.roles))
    )


def user_for(session: Session, token: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(_by_hash(), {"token_hash": _digest(token)})
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None


def status(row: ApiToken) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= utcnow():
        return "expired"
    return "active"


def owned_by(actor, user_id: int | None = None):
    """The tokens ``actor`` may list: their own; an admin, those of ``user_id`` or all."""
    stmt = select(ApiToken)
    if policy.is_admin(actor):
        return stmt if user_id is None else stmt.where(ApiToken.user_id == user_id)
    return stmt.where(policy.scope(actor, ApiToken))


def end_sessions(session: Session, user: User, *, via: str) -> None:
    """End every login session of ``user``, on the server: a new ``fs_uniquifier``
    (the id their session and remember cookies carry) makes every saved cookie
    worthless. API tokens are rows of their own and live on. Logged."""
    with write_transaction(session):
        user.fs_uniquifier = uuid.uuid4().hex
        changes.record(session, user, user, "end_sessions", None, None, via=via)


def password_changed(session: Session, user: User, *, via: str) -> None:
    """Log that ``user`` changed their password, in the transaction that changes it.

    Flask-Security-Too changes it (and the ``fs_uniquifier``, ending every other
    session) and commits; this adds the log entry to that same transaction.
    """
    changes.record(session, user, user, "change_password", None, None, via=via)
