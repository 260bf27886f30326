"""Webhook clients and subscriptions, and the intake of signed steps (Standard Webhooks).

``receive`` is the whole intake: identify the client, verify the signature over
the raw bytes, read the envelope, check the grant, and fire the step through
the engine as the client's account, ``via="webhook"``, at most once per
``webhook-id``. Every request leaves a ``WebhookReceipt``, whatever became of it.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from workflow import policy
from workflow.db import utcnow, write_transaction
from workflow.engine import fire, get_record
from workflow.errors import (
    Forbidden,
    InvalidPayload,
    Malformed,
    NotFound,
    Unauthenticated,
    WorkflowError,
)
from workflow.models import (
    Agency,
    Outcome,
    Role,
    RoleName,
    Subscription,
    User,
    WebhookClient,
    WebhookReceipt,
)
from workflow.workflows import WORKFLOWS
from workflow.workflows.common import StrictSchema, load

SECRET_PREFIX = "whsec_"
ROTATION_GRACE = timedelta(hours=24)
CLIENT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_WEBHOOK_ID = 255
CLIENT_ACCOUNT_DOMAIN = "webhooks.alur.invalid"  # RFC 2606: never a real mailbox


def new_secret() -> str:
    """A fresh ``whsec_`` secret: 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def rotate_secret(owner, *, grace: timedelta = ROTATION_GRACE) -> str:
    """Give a client or subscription a new secret; the old one stays valid for ``grace``."""
    owner.previous_secret = owner.secret
    owner.previous_secret_until = utcnow() + grace
    owner.secret = new_secret()
    return owner.secret


# -- grants and event types ------------------------------------------------------------


def check_grant(grant: str) -> str:
    """``<workflow>.<trigger>`` that an external system may fire; ValueError otherwise."""
    workflow, _, trigger = grant.partition(".")
    wf = WORKFLOWS.get(workflow)
    if wf is None:
        raise ValueError(f"{grant!r}: no workflow {workflow!r}; one of {', '.join(WORKFLOWS)}")
    if trigger not in wf.triggers:
        raise ValueError(f"{grant!r}: no trigger {trigger!r}; one of {', '.join(wf.triggers)}")
    if not any(
        spec.trigger == trigger and any(p.name == "external_system" for p in spec.who)
        for spec in wf.transitions
    ):
        doable = sorted(
            {
                f"{workflow}.{s.trigger}"
                for s in wf.transitions
                if any(p.name == "external_system" for p in s.who)
            }
        )
        raise ValueError(
            f"{grant!r} may not be done by an external system"
            + (f"; {workflow} allows: {', '.join(doable)}" if doable else "")
        )
    return grant


def check_event_pattern(pattern: str) -> str:
    """``*``, ``<workflow>.*`` or ``<workflow>.<state>``; ValueError otherwise."""
    if pattern == "*":
        return pattern
    workflow, _, state = pattern.partition(".")
    wf = WORKFLOWS.get(workflow)
    if wf is None:
        raise ValueError(
            f"{pattern!r}: no workflow {workflow!r}; use '*', '<workflow>.*' or "
            f"'<workflow>.<state>' with one of {', '.join(WORKFLOWS)}"
        )
    states = [s.value for s in wf.states]
    states += ["due_soon", "escalated"]  # the SLA run's events (workflow.sla)
    if state != "*" and state not in states:
        raise ValueError(f"{pattern!r}: no state {state!r}; one of {', '.join(states)}")
    return pattern


def wants(subscription: Subscription, event_type: str) -> bool:
    """Whether the subscription's patterns match ``event_type``."""
    return any(fnmatch.fnmatchcase(event_type, p) for p in subscription.event_types)


def check_url(url: str) -> str:
    """An absolute http(s) URL; ValueError otherwise."""
    if not re.match(r"^https?://[^/\s?#]+(?:[/?#]\S*)?$", url or "") or len(url) > 2000:
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    return url


# -- management ------------------------------------------------------------------------


def add_client(
    session: Session, name: str, grants: list[str], *, agency_code: str | None = None
) -> WebhookClient:
    """Create a client with its own external-system account; ValueError for bad input.

    The account is what the engine checks rights against and what the audit
    names as actor; ``agency_code`` limits it to that agency's records.
    """
    if not CLIENT_NAME.match(name or ""):
        raise ValueError(
            f"{name!r}: a client name is 2 to 63 lowercase letters, digits or dashes "
            "(it is part of the webhook URL)"
        )
    if not grants:
        raise ValueError("grant the client at least one <workflow>.<trigger>")
    grants = sorted({check_grant(g) for g in grants})
    if session.scalar(select(WebhookClient.id).where(WebhookClient.name == name)):
        raise ValueError(f"a webhook client named {name!r} already exists")
    agency = None
    if agency_code is not None:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise ValueError(f"no agency with code {agency_code!r}")
    role = session.scalar(select(Role).where(Role.name == RoleName.EXTERNAL_SYSTEM))
    account = User(
        email=f"{name}@{CLIENT_ACCOUNT_DOMAIN}",
        name=f"{name} (webhook client)",
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        agency_id=agency.id if agency else None,
        roles=[role],
    )
    if session.scalar(select(User.id).where(User.email == account.email)):
        raise ValueError(f"an account {account.email} already exists")
    client = WebhookClient(name=name, user=account, grants=grants, secret=new_secret())
    session.add(client)
    return client


def set_client_active(client: WebhookClient, active: bool) -> None:
    """Switch a client (and its account) on or off."""
    client.active = active
    client.user.active = active


def add_subscription(
    session: Session, url: str, event_types: list[str], *, name: str | None = None
) -> Subscription:
    """Create an active subscription; ValueError for bad input."""
    check_url(url)
    if not event_types:
        raise ValueError("give at least one event type, e.g. 'appraisal.*' or '*'")
    patterns = sorted({check_event_pattern(p) for p in event_types})
    subscription = Subscription(
        name=(name or url)[:100], url=url, event_types=patterns, secret=new_secret(), active=True
    )
    session.add(subscription)
    return subscription


# -- intake ----------------------------------------------------------------------------


class EnvelopeSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.Length(min=3, max=80))
    timestamp = fields.String(validate=validate.Length(max=64))
    data = fields.Dict(required=True, keys=fields.String())


@dataclass(frozen=True)
class Intake:
    """What ``receive`` did: applied the step, or recognised a repeat of one applied."""

    receipt: WebhookReceipt  # the receipt of this request
    first: WebhookReceipt  # the receipt that applied the step (itself, unless a repeat)

    @property
    def duplicate(self) -> bool:
        return self.receipt.outcome == Outcome.DUPLICATE


def receive(session: Session, client_name: str, headers, body: bytes) -> Intake:
    """Verify and apply one webhook request; raise WorkflowError if it is refused.

    ``headers`` is any case-insensitive mapping of the request headers, ``body``
    the raw request bytes. A refusal is recorded before it is raised.
    """
    webhook_id = headers.get("webhook-id")
    note = {"client_name": (client_name or "")[:64], "webhook_id": _clip(webhook_id, 255)}
    try:
        client = _client(session, client_name)
        note["client_id"] = client.id
        try:
            body.decode()
        except UnicodeDecodeError:
            raise Malformed("the body is not UTF-8 text") from None
        _verify(client, headers, body)
        if len(webhook_id) > MAX_WEBHOOK_ID:
            raise Malformed(f"webhook-id is longer than {MAX_WEBHOOK_ID} characters")
        if not client.active:
            raise Forbidden(f"webhook client {client.name!r} is deactivated")
        event_type, record_id, comment, payload = _envelope(body)
        note.update(type=event_type, record_id=record_id)
        if event_type not in client.grants:
            raise Forbidden(
                f"client {client.name!r} may not send {event_type!r}; "
                f"it is granted: {', '.join(client.grants)}"
            )
        if (first := _accepted(session, client.id, webhook_id)) is not None:
            return _repeat(session, first, note)
        return _apply(session, client, webhook_id, event_type, record_id, comment, payload, note)
    except WorkflowError as exc:
        session.rollback()
        # A repeat that raced the first request and lost answers like any repeat.
        if (
            note.get("client_id") is not None
            and webhook_id
            and (first := _accepted(session, note["client_id"], webhook_id)) is not None
        ):
            return _repeat(session, first, note)
        _record(session, outcome=Outcome.REJECTED, error=exc.code, reason=exc.message, **note)
        raise


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


def _client(session: Session, name: str) -> WebhookClient:
    client = None
    if CLIENT_NAME.match(name or ""):
        client = session.scalar(select(WebhookClient).where(WebhookClient.name == name))
    if client is None:
        raise NotFound(f"no webhook client named {name!r}")
    return client


def _verify(client: WebhookClient, headers, body: bytes) -> None:
    missing = [
        h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if not headers.get(h)
    ]
    if missing:
        raise Unauthenticated(f"missing header(s): {', '.join(missing)} (Standard Webhooks)")
    plain = {h: headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    problem = "no signature matches"
    for secret in client.secrets(utcnow()):
        try:
            Webhook(secret).verify(body, plain, json_parse=False)
            return
        except WebhookVerificationError as exc:
            problem = str(exc)
            if "timestamp" in problem.lower() or "headers" in problem.lower():
                break  # the same for every secret
        except (ValueError, binascii.Error, TypeError):
            # The reference verifier raises these on a malformed signature header or
            # a body that is not UTF-8, instead of its own error.
            problem = "malformed webhook-signature (expected 'v1,<base64>' entries)"
            break
    raise Unauthenticated(
        {
            "Message timestamp too old": "webhook-timestamp is more than 5 minutes old",
            "Message timestamp too new": "webhook-timestamp is more than 5 minutes ahead",
            "Invalid Signature Headers": "webhook-timestamp is not a Unix time in seconds",
            "No matching signature found": "no signature matches (check the client's secret)",
        }.get(problem, problem)
    )


def _envelope(body: bytes) -> tuple[str, int, str | None, dict | None]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise Malformed("the body is not JSON") from None
    if not isinstance(document, dict):
        raise Malformed("the body must be a JSON object")
    envelope = load(EnvelopeSchema, document, what="webhook body")
    data = dict(envelope["data"])
    record_id = data.pop("id", None)
    if isinstance(record_id, bool) or not isinstance(record_id, int) or not 1 <= record_id < 2**31:
        raise InvalidPayload(
            "data.id must be the record's id", {"data.id": ["A positive integer is required."]}
        )
    comment = data.pop("comment", None)
    if comment is not None and not isinstance(comment, str):
        raise InvalidPayload("data.comment must be text", {"data.comment": ["Not a valid string."]})
    return envelope["type"], record_id, comment, (data or None)


def _accepted(session: Session, client_id: int, webhook_id: str) -> WebhookReceipt | None:
    return session.scalar(
        select(WebhookReceipt).where(
            WebhookReceipt.client_id == client_id,
            WebhookReceipt.webhook_id == webhook_id,
            WebhookReceipt.outcome == Outcome.ACCEPTED,
        )
    )


def _repeat(session: Session, first: WebhookReceipt, note: dict) -> Intake:
    receipt = _record(session, outcome=Outcome.DUPLICATE, result=first.result, **note)
    return Intake(receipt, first)


def _apply(session, client, webhook_id, event_type, record_id, comment, payload, note) -> Intake:
    workflow, _, trigger = event_type.partition(".")
    record = get_record(session, workflow, record_id)
    if not policy.can_see(client.user, record):
        raise NotFound(f"{WORKFLOWS[workflow].title} {record_id} does not exist")
    accepted = WebhookReceipt(outcome=Outcome.ACCEPTED, received_at=utcnow(), **note)

    def remember(session, row):
        accepted.result = {
            "workflow": workflow, "id": row.id, "state": row.state, "version": row.version,
        }  # fmt: skip
        session.add(accepted)

    try:
        fire(record, trigger, client.user, via="webhook", comment=comment, payload=payload,
             within=remember)  # fmt: skip
    except IntegrityError:
        # The same webhook-id was applied by a concurrent request first.
        raise WorkflowError("this webhook-id is being applied by another request") from None
    return Intake(accepted, accepted)


def _record(session: Session, **values) -> WebhookReceipt:
    receipt = WebhookReceipt(received_at=utcnow(), **values)
    with write_transaction(session):
        session.add(receipt)
    return receipt
