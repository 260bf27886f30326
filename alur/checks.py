"""Whether a deployment can serve: what ``/ready`` asks on every probe, and what
``flask doctor`` asks once, of the whole configuration.

Each check answers ``ok``, ``warn`` (it works, but not as production should) or
``fail`` (it does not work), with what to do about it. Every check has a bound of a few
seconds: a probe that hangs is worse than one that fails.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass

import redis
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from alur.config import DEV_SECRET, DEVELOPMENT
from alur.migrations import code_heads, database_heads
from workflow import audit_partitions, evidence_store
from workflow.audit_keys import DEVELOPMENT_AUDIT_KEY
from workflow.db import REPLICA, db, has_replica, utcnow
from workflow.sealing import DEVELOPMENT_KEY

SECONDS = 3  # each network check's bound


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "detail": self.detail}


def ready(app: Flask) -> list[Check]:
    """What a load balancer asks before it sends requests: database, migrations, Redis."""
    # Redis down is a warning here: the API goes on without it (limits per process), and
    # a load balancer must not take every server out for it.
    return [database(), migrations(), *replica(), *redis_stores(app, down="warn")]


def doctor(app: Flask) -> list[Check]:
    """Everything a deployment needs, each with what to do when it is wrong."""
    return [
        database(),
        migrations(),
        *replica(),
        *redis_stores(app),
        shared_state(app),
        keys(app),
        mail(app),
        base_url(app),
        metrics_token(app),
        evidence(app),
        checkpoint_dir(app),
        *partitions(),
    ]


def database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return Check("database", "fail", f"not reachable ({_reason(exc)}): check DATABASE_URL")
    return Check("database", "ok", f"reachable ({db.engine.dialect.name})")


def migrations() -> Check:
    """The schema is at the code's head: a server of newer code on an older schema fails."""
    heads = code_heads()
    try:
        with db.engine.connect() as conn:
            current = database_heads(conn)
    except SQLAlchemyError as exc:
        return Check("migrations", "fail", f"cannot be read ({_reason(exc)})")
    if current == heads:
        return Check("migrations", "ok", f"at head {', '.join(sorted(heads))}")
    at = ", ".join(sorted(current)) or "none"
    return Check(
        "migrations",
        "fail",
        f"the database is at {at}, the code at {', '.join(sorted(heads))}: run flask db upgrade",
    )


def replica() -> list[Check]:
    """The read replica, if there is one. Only a warning when it fails: the lists are then
    read from the primary, so the server can still serve."""
    if not has_replica():
        return []
    engine = db.engines[REPLICA]
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "postgresql":
                conn.execute(text("SELECT 1"))
                return [Check("replica", "ok", "reachable")]
            standby, behind = conn.execute(
                text(
                    "SELECT pg_is_in_recovery(), "
                    "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
                )
            ).one()
    except SQLAlchemyError as exc:
        return [Check("replica", "warn", f"not reachable ({_reason(exc)}): lists read the primary")]
    if not standby:
        return [Check("replica", "warn", "reachable, but not a standby: is it the primary?")]
    replayed = "nothing replayed yet" if behind is None else f"last replayed {behind:.0f} s ago"
    return [Check("replica", "ok", f"a standby, {replayed}")]


def _redis_urls(app: Flask) -> dict[str, str]:
    urls = {}
    limits = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    if limits.startswith(("redis://", "rediss://", "redis+")):
        urls["rate limits"] = limits
    if "redis" in str(app.config.get("CACHE_TYPE", "")).lower():
        urls["cache"] = app.config.get("CACHE_REDIS_URL") or "redis://localhost:6379/0"
    return urls


def redis_stores(app: Flask, *, down: str = "fail") -> list[Check]:
    checks = []
    for use, url in _redis_urls(app).items():
        client = redis.Redis.from_url(url, socket_timeout=SECONDS, socket_connect_timeout=SECONDS)
        try:
            client.ping()
        except redis.RedisError as exc:
            checks.append(Check(f"redis ({use})", down, f"not reachable ({_reason(exc)})"))
        else:
            checks.append(Check(f"redis ({use})", "ok", "reachable"))
        finally:
            client.close()
    return checks


def shared_state(app: Flask) -> Check:
    """Several processes must count and cache in one place, or each counts alone."""
    apart = []
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        apart.append("rate limits (set ALUR_RATELIMIT_STORAGE_URI=redis://…)")
    if "redis" not in str(app.config.get("CACHE_TYPE", "")).lower():
        apart.append("the cache (set ALUR_CACHE_TYPE=RedisCache and ALUR_CACHE_REDIS_URL)")
    if not apart:
        return Check("shared state", "ok", "rate limits and cache in Redis")
    return Check(
        "shared state",
        _production_fails(app),
        "kept per process, so several servers do not share them: " + "; ".join(apart),
    )


def keys(app: Flask) -> Check:
    development = [
        name
        for name, dev in (
            ("SECRET_KEY", DEV_SECRET),
            ("SECURITY_PASSWORD_SALT", DEV_SECRET),
            ("ALUR_SECRETS_KEY", DEVELOPMENT_KEY),
            ("ALUR_AUDIT_KEY", DEVELOPMENT_AUDIT_KEY),
        )
        if app.config.get(name.removeprefix("ALUR_")) in (None, "", dev)
    ]
    if not development:
        return Check("keys", "ok", "the secret, salt, secrets key and audit key are set")
    return Check(
        "keys",
        _production_fails(app),
        "still the development value (set them in the environment): " + ", ".join(development),
    )


def mail(app: Flask) -> Check:
    host = app.config.get("MAIL_SERVER")
    if not host:
        return Check(
            "mail", "warn", "no mail server (ALUR_MAIL_SERVER): notifications are not mailed"
        )
    port = int(app.config.get("MAIL_PORT") or 25)
    try:
        if app.config.get("MAIL_USE_SSL"):
            server = smtplib.SMTP_SSL(
                host, port, timeout=SECONDS, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=SECONDS)
        try:
            code, _ = server.noop()
        finally:
            server.close()
    except (OSError, smtplib.SMTPException) as exc:
        return Check("mail", "fail", f"{host}:{port} not reachable ({_reason(exc)})")
    if code != 250:
        return Check("mail", "fail", f"{host}:{port} answered {code}")
    return Check("mail", "ok", f"{host}:{port} answers")


def base_url(app: Flask) -> Check:
    url = str(app.config.get("BASE_URL") or "")
    if url.startswith("https://"):
        return Check("base url", "ok", url)
    return Check(
        "base url",
        _production_fails(app),
        f"mails link to {url or 'nothing'}: set ALUR_BASE_URL to the back office's https address",
    )


def metrics_token(app: Flask) -> Check:
    token = str(app.config.get("METRICS_TOKEN") or "")
    if len(token) >= 32:
        return Check("metrics", "ok", "/metrics answers the bearer of ALUR_METRICS_TOKEN")
    if token:
        return Check("metrics", "warn", "ALUR_METRICS_TOKEN is short: use 32 characters or more")
    return Check("metrics", "warn", "/metrics is off: set ALUR_METRICS_TOKEN")


def evidence(app: Flask) -> Check:
    store = evidence_store.store()
    if isinstance(store, evidence_store.S3Store):
        try:
            store.client.head_bucket(Bucket=store.bucket)
        except Exception as exc:
            return Check("evidence", "fail", f"bucket {store.bucket!r}: {_reason(exc)}")
        return Check("evidence", "ok", f"bucket {store.bucket!r} reachable")
    check = _writable("evidence", store.root)
    if check.status == "ok" and not _development(app):
        return Check("evidence", "warn", f"{store.root} on this server's disk: one server only")
    return check


def checkpoint_dir(app: Flask) -> Check:
    where = app.config.get("AUDIT_CHECKPOINT_DIR")
    if not where:
        return Check(
            "audit checkpoints",
            "warn",
            "kept in the database only: set ALUR_AUDIT_CHECKPOINT_DIR to a place its writers "
            "cannot reach",
        )
    return _writable("audit checkpoints", where)


def partitions() -> list[Check]:
    """PostgreSQL: this year's and next year's partitions of the audit log exist (the
    outbox worker makes them; without one, entries go to the default partition)."""
    try:
        if not audit_partitions.partitioned(db.session):
            return []
        made = set(audit_partitions.years(db.session))
    except SQLAlchemyError:
        db.session.rollback()
        return []  # the database check says why
    this = utcnow().year
    missing = sorted({this, this + 1} - made)
    if missing:
        years = ", ".join(map(str, missing))
        return [Check("audit partitions", "warn", f"none yet for {years}: flask audit partitions")]
    return [Check("audit partitions", "ok", f"{this} and {this + 1} made")]


def _writable(name: str, where) -> Check:
    try:
        os.makedirs(where, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where):
            pass
    except OSError as exc:
        return Check(name, "fail", f"{where} is not writable ({_reason(exc)})")
    return Check(name, "ok", f"{where} writable")


def _development(app: Flask) -> bool:
    return app.config["ALUR_ENV"] == DEVELOPMENT


def _production_fails(app: Flask) -> str:
    """What a setting fit for development only is: a warning there, a failure elsewhere."""
    return "warn" if _development(app) else "fail"


def _reason(exc: BaseException) -> str:
    """The error's kind and first line, without a URL's password."""
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    message = first[0][:200] if first else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
