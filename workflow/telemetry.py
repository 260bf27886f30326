"""What the engine tells operators: counters for Prometheus and one log line per step.

The counters live in prometheus-client's registry; under gunicorn each process writes
its own file (``PROMETHEUS_MULTIPROC_DIR``, set by ``gunicorn.conf.py``) and ``/metrics``
adds them up. The log lines are structlog's: JSON with the request id the adapter bound,
and ids only, never a name or a comment.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from prometheus_client import Counter

log = structlog.get_logger("alur.workflow")

TRANSITIONS = Counter(
    "alur_transitions",
    "Steps taken, by workflow, trigger and the channel they came through",
    ["workflow", "trigger", "via"],
)
REFUSALS = Counter(
    "alur_refusals",
    "Commands the core refused, by kind (not_found, forbidden, invalid, busy, …)",
    ["kind"],
)


def stepped(workflow: str, trigger: str, via: str, *, record_id, actor_id, state: str) -> None:
    """Count a committed step and log it (ids only)."""
    TRANSITIONS.labels(workflow, trigger, via).inc()
    log.info(
        "step",
        workflow=workflow,
        trigger=trigger,
        via=via,
        record_id=record_id,
        actor_id=actor_id,
        state=state,
    )


def stepped_many(workflow: str, taken: Iterable[tuple[str, str]], *, actor_ids: set) -> None:
    """Count a batch's committed steps (``(trigger, via)`` each) and log one line for it."""
    counts: dict[tuple[str, str], int] = {}
    for key in taken:
        counts[key] = counts.get(key, 0) + 1
    for (trigger, via), n in counts.items():
        TRANSITIONS.labels(workflow, trigger, via).inc(n)
    if counts:
        log.info(
            "steps",
            workflow=workflow,
            taken=sum(counts.values()),
            triggers=sorted({trigger for trigger, _ in counts}),
            actor_ids=sorted(actor_ids),
        )


def refused(kind: str) -> None:
    REFUSALS.labels(kind).inc()


__all__ = ["refused", "stepped", "stepped_many"]
