"""Domain errors raised by the engine; adapters map each to one HTTP status."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every refusal the engine gives; ``message`` is for people."""

    code = "workflow_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

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

    def __init__(self, message: str, *, state: str, allowed: list[str]):
        super().__init__(message)
        self.state = state
        self.allowed = allowed


class StaleVersion(Conflict):
    """The record changed since the caller read it (optimistic lock)."""

    code = "stale_version"

    def __init__(self, message: str, *, expected: int | None, actual: int | None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class InvalidPayload(WorkflowError):
    """The data given with a request is invalid; ``errors`` maps field → messages."""

    code = "invalid"

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
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
