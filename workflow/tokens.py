"""API tokens: issued once in the clear, kept only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow.db import utcnow
from workflow.errors import NotFound
from workflow.models.accounts import ApiToken, User

TOKEN_PREFIX = "alur_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: Session, user: User, name: str, *, valid_for: timedelta | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return the row and the token, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=_digest(token),
        expires_at=utcnow() + valid_for if valid_for else None,
    )
    session.add(row)
    return row, token


def revoke(session: Session, token_id: int, *, at: datetime | None = None) -> ApiToken:
    """Revoke a token by id (idempotent); NotFound if there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"API token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = at or utcnow()
    return row


def user_for(session: Session, token: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(token))
        .options(joinedload(ApiToken.user).joinedload(User.roles))  # every request asks
    )
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None
