"""Domain errors raised by the engine; adapters map each to one HTTP status.

A refusal is an English template with named parameters (``%(state)s``), not a finished
sentence: the API and the logs read ``message``, the back office translates ``template``
and shows each parameter that is a code (a ``Term``: a state, a step, a party) by its
label in the user's language. Field messages are ``Text``: a string that keeps its
template and parameters the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A code a refusal names (``kind``: state, trigger, party, workflow, field, model,
    action), shown in English as ``text`` and by its label in an adapter."""

    kind: str
    code: str
    text: str = ""

    def __str__(self) -> str:
        return self.text or self.code


def term(kind: str, code: str, text: str | None = None) -> Term:
    """A ``Term``; a state or a trigger reads as the code in quotes, as the API has said it."""
    if text is None:
        text = repr(code) if kind in ("state", "trigger") else code
    return Term(kind, code, text)


def terms(kind: str, codes) -> tuple[Term, ...]:
    """Several codes of one kind (shown joined by commas)."""
    return tuple(term(kind, code) for code in codes)


class Either(tuple):
    """Alternatives a refusal names: *draft or returned*."""


def either(kind: str, codes) -> Either:
    """Codes of one kind, any of which would do (shown joined by *or*, unquoted)."""
    return Either(Term(kind, code, code) for code in codes)


def shown(value) -> str:
    """A parameter as the English message shows it."""
    if isinstance(value, Either):
        return " or ".join(map(str, value))
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value))
    return str(value)


def render(template: str, params: Mapping) -> str:
    """The English sentence: ``template`` with ``params`` filled in."""
    return template % {name: shown(value) for name, value in params.items()} if params else template


class Text(str):
    """A field's message: the English sentence, keeping its template and parameters."""

    template: str
    params: dict

    def __new__(cls, template: str, **params) -> Text:
        made = super().__new__(cls, render(template, params))
        made.template = template
        made.params = params
        return made


def said(exc: Exception) -> str:
    """What a ValueError of the core says: its ``Text`` (translatable) or its plain text."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, Text) else str(exc)


class WorkflowError(Exception):
    """Base of every refusal the engine gives; ``message`` is for people (in English)."""

    code = "workflow_error"

    def __init__(self, template: str, params: Mapping | None = None):
        if isinstance(template, Text) and params is None:  # a field's message, passed on
            template, params = template.template, template.params
        self.template = template
        self.params = dict(params or {})
        self.message = render(template, self.params)
        super().__init__(self.message)

    def explained(self) -> str:
        """The message, with whatever details make it actionable (one line)."""
        return self.message


class NotFound(WorkflowError):
    code = "not_found"


class Forbidden(WorkflowError):
    code = "forbidden"


class Conflict(WorkflowError):
    """The record's current state or version does not allow the request."""

    code = "conflict"


class TransitionNotAllowed(Conflict):
    """The trigger cannot be fired from the record's current state."""

    code = "transition_not_allowed"

    def __init__(
        self, template: str, params: Mapping | None = None, *, state: str, allowed: list[str]
    ):
        super().__init__(template, params)
        self.state = state
        self.allowed = allowed


class StaleVersion(Conflict):
    """The record changed since the caller read it (optimistic lock)."""

    code = "stale_version"

    def __init__(
        self,
        template: str,
        params: Mapping | None = None,
        *,
        expected: int | None,
        actual: int | None,
    ):
        super().__init__(template, params)
        self.expected = expected
        self.actual = actual


class InvalidPayload(WorkflowError):
    """The data given with a request is invalid; ``errors`` maps field → messages."""

    code = "invalid"

    def __init__(self, template: str, errors: dict | None = None, params: Mapping | None = None):
        super().__init__(template, params)
        self.errors = errors or {}

    def explained(self) -> str:
        if not self.errors:
            return self.message
        details = "; ".join(
            f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
            for field, msgs in self.errors.items()
        )
        return f"{self.message} ({details})"


class Unauthenticated(WorkflowError):
    """The caller could not be identified: a missing or bad signature, a stale timestamp."""

    code = "unauthenticated"


class Malformed(WorkflowError):
    """The request cannot be read at all (not JSON, not an object, oversized fields)."""

    code = "malformed"


BUSY_MESSAGE = "The data is in use by another request; nothing was changed. Try again shortly."


class Busy(WorkflowError):
    """The database did not answer in time (a lock held elsewhere, a statement too long).

    Nothing was done (the transaction was rolled back); the same request may be tried
    again in ``retry_after`` seconds.
    """

    code = "busy"

    def __init__(self, message: str = BUSY_MESSAGE, *, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after


UNAVAILABLE_MESSAGE = (
    "The database is not available just now. Try again shortly; a step sent with an "
    "Idempotency-Key may be sent again with the same key."
)


class Unavailable(Busy):
    """The database could not be reached: restarting, failing over, the connection lost.

    What was asked may not be done; if the connection was lost as it committed, it may
    be. A retry with the same idempotency key is answered once either way.
    """

    code = "database_unavailable"

    def __init__(self, message: str = UNAVAILABLE_MESSAGE, *, retry_after: int = 5):
        super().__init__(message, retry_after=retry_after)
