"""Commands for every change outside the workflows: validated, allowed, one transaction, logged.

A workflow record changes only through the engine (``workflow.engine``), which
writes the record's audit chain. Everything else — reference data, budgets,
holidays, delegations, users, tokens, webhook clients and subscriptions — changes
through the commands here: each asks the policy before and after the change (so
nobody moves a row out of, or into, an agency they do not administer), runs in
one transaction, and writes a ``ChangeEntry`` with the changed fields before and
after. Adapters call these and never write to the session themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import audit, policy, reference
from workflow.db import utcnow, write_transaction
from workflow.errors import Conflict, InvalidPayload, said
from workflow.models import ChangeEntry, User
from workflow.policy import Action

# Never copied into the log: a secret's value, a token's hash, a password hash.
HIDDEN = frozenset(
    {"sealed_secret", "sealed_previous_secret", "token_hash", "password", "fs_uniquifier"}
)

Validate = Callable[[Session, object, object], None]  # (session, actor, row)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(row) -> dict:
    """The row's column values as JSON (secrets masked), and a user's role names."""
    values = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        values[attr.key] = ("***" if value else None) if attr.key in HIDDEN else _plain(value)
    if isinstance(row, User):
        values["roles"] = sorted(role.name for role in row.roles)
    return values


def _key(row) -> str:
    identity = inspect(row).identity
    return ",".join(map(str, identity)) if identity else str(getattr(row, "id", ""))


def record(
    session: Session,
    actor,
    row,
    action: str,
    before: dict | None,
    after: dict | None,
    *,
    via: str,
    comment: str | None = None,
) -> ChangeEntry | None:
    """Log a command on ``row`` in the caller's transaction (only the fields it changed)."""
    if before is not None and after is not None:
        changed = [k for k in after if before.get(k) != after[k]]
        if not changed and action == "update":
            return None  # nothing changed: nothing to log
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    entry = ChangeEntry(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        via=via,
        model=type(row).__tablename__,
        row_key=_key(row),
        action=action,
        agency_id=policy.agency_of(row),
        before=before,
        after=after,
        comment=(comment or "").strip() or None,
    )
    audit.sign_change(entry)
    session.add(entry)
    return entry


def _set(row, values: dict) -> None:
    for name, value in values.items():
        try:
            setattr(row, name, value)  # the models' validators check NIP, rank, status
        except ValueError as exc:
            raise InvalidPayload(said(exc), {name: [said(exc)]}) from None


def save(
    session: Session,
    actor,
    row,
    values: dict,
    *,
    via: str,
    validate: Validate | None = None,
    comment: str | None = None,
    also: list | None = None,
    then: Callable[[object], list] | None = None,
):
    """Create ``row`` (new) or change it with ``values``, if ``actor`` may; commit; log.

    ``also``: rows written with it (a webhook's receipt); ``then(row)``: rows made once it
    has its id (its outbox event), in the same transaction.

    The row is checked as it would be (``reference.validate``: links within its
    agency, amounts, names; then ``validate(session, actor, row)`` if given) before
    the policy is asked again.
    ``actor`` None is the system (a command line run by the operator).
    """
    new = inspect(row).identity is None
    with write_transaction(session), session.no_autoflush:
        if not new and actor is not None:
            policy.check(actor, Action.CHANGE, row)
        before = None if new else snapshot(row)
        _set(row, values)
        reference.validate(session, actor, row)
        if validate is not None:
            validate(session, actor, row)
        if actor is not None:
            policy.check(actor, Action.CREATE if new else Action.CHANGE, row)
        session.add(row)
        session.add_all(also or ())
        _flush(session)
        if then is not None:
            session.add_all(then(row))
        record(
            session,
            actor,
            row,
            "create" if new else "update",
            before,
            snapshot(row),
            via=via,
            comment=comment,
        )
    return row


def delete(session: Session, actor, row, *, via: str, comment: str | None = None) -> None:
    """Delete ``row`` if ``actor`` may (few models allow it); commit; log what it held."""
    with write_transaction(session):
        if actor is not None:
            policy.check(actor, Action.DELETE, row)
        before = snapshot(row)
        record(session, actor, row, "delete", before, None, via=via, comment=comment)
        session.delete(row)
        _flush(session, deleting=True)


def run(
    session: Session,
    actor,
    row,
    action: str,
    change: Callable[[object], object],
    *,
    via: str,
    comment: str | None = None,
):
    """A named command on an existing row (revoke, rotate, redeliver…): ``change(row)``.

    Returns what ``change`` returns. The policy's CHANGE right is asked.
    """
    with write_transaction(session):
        if actor is not None:
            policy.check(actor, Action.CHANGE, row)
        before = snapshot(row)
        result = change(row)
        _flush(session)
        record(session, actor, row, action, before, snapshot(row), via=via, comment=comment)
    return result


def make(
    session: Session,
    actor,
    build: Callable[[], object],
    *,
    via: str,
    comment: str | None = None,
    also: list | None = None,
    then: Callable[[object], list] | None = None,
):
    """Create a row with a core function ``build()`` (which adds it), checked and logged.

    One transaction: a refusal of the policy rolls the new row back. ``also``: rows
    written in the same transaction (a webhook's receipt); ``then(row)``: rows made once
    it has its id (its outbox event).
    """
    with write_transaction(session):
        row = build()
        session.add_all(also or ())
        created(session, actor, row, via=via, comment=comment)
        if then is not None:
            session.add_all(then(row))
    return row


def created(session: Session, actor, row, *, via: str, comment: str | None = None) -> None:
    """Check and log a row a core function has just made, in the caller's transaction."""
    if actor is not None:
        policy.check(actor, Action.CREATE, row)
    _flush(session)
    record(session, actor, row, "create", None, snapshot(row), via=via, comment=comment)


def _flush(session: Session, *, deleting: bool = False) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise integrity_error(exc, deleting=deleting) from None


def integrity_error(exc: IntegrityError, *, deleting: bool = False):
    """A database refusal as the caller's error, without the statement or its values."""
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return Conflict("a record with the same unique value (code or NIP) already exists")
    if deleting:
        return Conflict("the record is still referenced by other records; it cannot be deleted")
    if "foreign key" in text:
        return InvalidPayload(
            "a referenced record does not exist, or belongs to another agency",
            {"_schema": ["A referenced record does not exist or is in another agency."]},
        )
    return InvalidPayload(
        "the change breaks a rule of the data",
        {"_schema": ["The values break a rule of the data."]},
    )
