"""The intake of signed steps from external systems (Standard Webhooks).

``receive`` is the whole intake: identify the client, verify the signature over
the raw bytes, read the envelope, check the grant, and take the step through
the engine as the client's account, ``via="webhook"``, at most once per
``webhook-id``. Every request leaves a ``WebhookReceipt``, whatever became of it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from workflow.db import is_id, utcnow, write_transaction
from workflow.engine import Key, Step, take
from workflow.errors import (
    Forbidden,
    InvalidPayload,
    Malformed,
    NotFound,
    Unauthenticated,
    WorkflowError,
)
from workflow.models import Outcome, WebhookClient, WebhookReceipt
from workflow.webhooks import CLIENT_NAME, COMMANDS, MAX_WEBHOOK_ID
from workflow.workflows.common import StrictSchema, load


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
    if not is_id(record_id):
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
    accepted = WebhookReceipt(outcome=Outcome.ACCEPTED, received_at=utcnow(), **note)
    if event_type in COMMANDS:
        try:
            made = _command(session, client.user, event_type, record_id, payload or {}, accepted)
        except IntegrityError:
            raise WorkflowError("this webhook-id is being applied by another request") from None
        with write_transaction(session):  # what it made, for the answer to a repeat
            accepted.result = {"type": event_type, "id": made.id}
        return Intake(accepted, accepted)
    step = Step(
        workflow,
        record_id,
        trigger,
        client.user,
        "webhook",
        comment,
        payload,
        key=Key(webhook_id, receipt=accepted),
    )
    try:
        take(session, step)
    except IntegrityError:
        # The same webhook-id was applied by a concurrent request first.
        raise WorkflowError("this webhook-id is being applied by another request") from None
    return Intake(accepted, accepted)


# The fields each command takes in ``data`` (beside ``id``: the RHK for a realisation, the
# realisation for evidence).
COMMAND_FIELDS = {
    "realisation.record": ("period", "value", "narrative"),
    "evidence.link": ("url",),
    "evidence.file": ("name", "content_base64"),
}


def _command(session: Session, user, event_type: str, target: int, data: dict, receipt):
    """A realisation or a piece of evidence an external system sends, written with its
    receipt (at most once per webhook-id)."""
    from workflow import realisation

    unknown = sorted(set(data) - set(COMMAND_FIELDS[event_type]))
    if unknown:
        raise InvalidPayload(
            "unknown fields in data", {f"data.{name}": ["Unknown field."] for name in unknown}
        )
    also = [receipt]
    if event_type == "realisation.record":
        return realisation.record(
            session,
            user,
            target,
            data.get("period") if isinstance(data.get("period"), str) else "",
            value=data.get("value"),
            narrative=data.get("narrative"),
            via="webhook",
            also=also,
        )
    if event_type == "evidence.link":
        return realisation.attach_link(
            session, user, target, url=data.get("url"), via="webhook", also=also
        )
    encoded = data.get("content_base64")
    try:
        content = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
    except (binascii.Error, ValueError):
        content = None
    if content is None:
        raise InvalidPayload(
            "data.content_base64 must be the file in base64",
            {"data.content_base64": ["The file, base64-encoded."]},
        )
    return realisation.attach_file(
        session, user, target, name=data.get("name"), data=content, via="webhook", also=also
    )


def _record(session: Session, **values) -> WebhookReceipt:
    receipt = WebhookReceipt(received_at=utcnow(), **values)
    with write_transaction(session):
        session.add(receipt)
    return receipt
