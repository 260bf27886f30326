"""What an operator sees of a running Alur: JSON logs with a request id, and ``/metrics``.

Logs: one JSON line per request on standard error (structlog), with the request id taken
from ``X-Request-ID`` (or made) and sent back, the endpoint, the status, the time and the
actor's id. Never a header, a body, a query string or a name. Flask's own lines and the
libraries' go through the standard ``logging`` and come out as the same JSON.

Metrics: prometheus-client. Under gunicorn every process counts in its own file in
``PROMETHEUS_MULTIPROC_DIR`` (``gunicorn.conf.py`` sets it) and ``/metrics`` adds them up;
the backlogs are read from the database when scraped. ``/metrics`` answers only a bearer
of ``ALUR_METRICS_TOKEN`` (unset: no metrics, 404).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import sys
import uuid
from time import perf_counter

import structlog
import structlog.tracebacks
from flask import Blueprint, Flask, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError

from alur.api.problems import problem
from workflow import backlogs
from workflow.db import db, utcnow

# What a client may name its request by: a bounded, printable id (nothing that could
# forge a log line); anything else is replaced by one of ours.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")

REQUEST_SECONDS = Histogram(
    "alur_request_seconds",
    "Time to answer a request, by endpoint (the route's name) and method",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter(
    "alur_responses",
    "Answers given, by endpoint, method and status",
    ["endpoint", "method", "status"],
)
POOL_IN_USE = Gauge(
    "alur_db_connections_in_use",
    "Database connections checked out of the pools of the live processes",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "alur_db_pool_size",
    "Connections the live processes' pools keep (besides their overflow)",
    multiprocess_mode="livesum",
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = structlog.get_logger("alur.request")
bp = Blueprint("observability", __name__)

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
_RENDER = [
    # A traceback's frames without their locals: those hold tokens and data.
    structlog.processors.ExceptionRenderer(
        structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
    ),
    structlog.processors.JSONRenderer(),
]


# Loggers whose lines an operator needs beside ours: the rate limiter says when it falls
# back to counting in memory (Redis unreachable) and when it goes back.
THEIRS = ("flask-limiter",)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on standard error for Alur's loggers (``alur``, ``alur.*``) and those
    of ``THEIRS``, at ``level``; the latest call sets them."""
    for name in ("alur", *THEIRS):  # "alur" is the app's own logger too: Flask's
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())  # ValueError for a level that is none
        if not any(getattr(h, "alur_json", False) for h in logger.handlers):
            logger.addHandler(_json_handler())
    # Alur's own lines go straight to standard error, not through the standard
    # ``logging``: its records, the caller lookup and the second record its formatter
    # makes cost three times the line itself, and every request writes one or two.
    structlog.configure(
        processors=[*_SHARED, *_RENDER],
        logger_factory=_Lines,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLogger("alur").level),
        # Not cached: a logger then follows the latest level (no dearer a line).
        cache_logger_on_first_use=False,
    )


class _Lines:
    """structlog's logger: each line written whole to standard error as it is when the line
    is written (a redirect, a test's capture)."""

    def __init__(self, name: str | None = None):
        self.name = name  # for ``add_logger_name``

    def msg(self, line: str) -> None:
        try:
            stream = sys.stderr
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError, AttributeError):
            # A closed or broken standard error (the log collector gone) loses the line,
            # as the standard ``logging`` would, and fails neither the request nor the step.
            pass

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _json_handler() -> logging.Handler:
    handler = _Stderr()
    handler.alur_json = True
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_RENDER],
        )
    )
    return handler


class _Stderr(logging.StreamHandler):
    """Standard error as it is when a line is written (a redirect, a test's capture)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def register_observability(app: Flask) -> None:
    """Request ids, the request log and its metrics, pool gauges and ``/metrics``."""
    configure_logging(app.config["LOG_LEVEL"])
    # Before every other hook (the rate limiter's may answer first): the id is bound
    # for whatever is logged while the request is served.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
    app.register_blueprint(bp)
    with app.app_context():
        _watch_pool(db.engine)


def _begin() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _end(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    seconds = perf_counter() - started if started is not None else 0.0
    rule = request.url_rule
    endpoint = rule.endpoint if rule is not None else "unmatched"
    # Labels from a fixed set: a client may send any method, and each new one would be
    # new series in every worker's files for good.
    method = request.method if request.method in METHODS else "other"
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)
    RESPONSES.labels(endpoint, method, str(response.status_code)).inc()
    log.info(
        "request",
        request_id=request_id,
        method=method,
        # a path that holds a secret (a document's seal) is logged as its route
        path=rule.rule if rule is not None and "<token>" in rule.rule else request.path,
        endpoint=endpoint,
        status=response.status_code,
        ms=round(seconds * 1000, 1),
        actor_id=_actor_id(),
    )
    return response


def _actor_id() -> int | None:
    """The signed-in user's id, if this request loaded them. Read from the identity map
    alone: asking the user anything (``is_authenticated``) may load it again, a query of
    its own, which fails with the database it is there to log."""
    state = inspect(g.get("_login_user"), raiseerr=False)  # None: nobody, or anonymous
    if state is None or state.identity is None:
        return None
    return state.identity[0]


def _watch_pool(engine) -> None:
    pool = engine.pool
    size = getattr(pool, "size", None)
    if callable(size):
        POOL_SIZE.inc(size())
    event.listen(pool, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(pool, "checkin", lambda *_: POOL_IN_USE.dec())


class _Backlogs:
    """Read at each scrape: the outbox's and the notifications' queues, from the database."""

    def collect(self):
        up = GaugeMetricFamily("alur_database_up", "Whether the scrape could read the database")
        try:
            queues = backlogs.read(db.session)
        except SQLAlchemyError:
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        finally:
            db.session.remove()
        up.add_metric([], 1)
        yield up
        now = utcnow()
        waiting = GaugeMetricFamily(
            "alur_backlog", "Items waiting to go, by queue", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "alur_backlog_oldest_seconds",
            "Age of the oldest waiting item, by queue",
            labels=["queue"],
        )
        dead = GaugeMetricFamily(
            "alur_dead_letters", "Items that gave up, by queue", labels=["queue"]
        )
        for name, backlog in queues.items():
            waiting.add_metric([name], backlog.waiting)
            age.add_metric([name], backlog.oldest_age(now))
            dead.add_metric([name], backlog.dead)
        yield from (waiting, age, dead)


@bp.get("/metrics")
def metrics():
    """Prometheus' text format, for a bearer of the metrics token only."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        return problem(404, "Metrics are off: set ALUR_METRICS_TOKEN.")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return problem(
            401,
            "The metrics token is missing or wrong.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    registry.register(_Backlogs())
    return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}


class _Everything:
    """This process's own metrics (one process: the development server, the tests)."""

    def collect(self):
        return REGISTRY.collect()
