"""``flask webhooks`` (clients, receipts, subscriptions) and ``flask outbox`` (delivery)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from alur.cli.common import ID, command, one, repeated
from workflow import audit_partitions, checkpoints, delegation, delivery, mailing
from workflow import outbox as deliveries
from workflow import webhooks as hooks
from workflow.db import db, utcnow
from workflow.errors import Conflict, WorkflowError
from workflow.models import (
    DeliveryStatus,
    OutboxDelivery,
    OutboxEvent,
    Subscription,
    WebhookClient,
    WebhookReceipt,
)


@click.group()
def webhooks():
    """Webhook clients (incoming) and subscriptions (outgoing)."""


def _client(name: str) -> WebhookClient:
    return one(WebhookClient, WebhookClient.name, name, f"webhook client named {name!r}", "NAME")


def _subscription(sub_id: int) -> Subscription:
    return one(Subscription, Subscription.id, sub_id, f"subscription {sub_id}", "ID")


def _secret_last(what: str, secret: str) -> None:
    click.echo(f"{what}; store its secret now, it is shown once:")
    click.echo(secret)


@webhooks.command("add-client")
@click.argument("name")
@repeated(
    "--grant",
    "grants",
    "A step the client may fire, e.g. appraisal.submit (repeatable).",
    metavar="WORKFLOW.TRIGGER",
)
@click.option("--agency", "agency_code", help="Limit the client to this agency's records.")
@with_appcontext
def add_client(name, grants, agency_code):
    """Create webhook client NAME; its secret is printed alone on the last line."""
    try:
        client = command(
            lambda: hooks.register_client(
                db.session, None, name, list(grants), agency_code=agency_code, via="cli"
            )
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"client {client.name}: POST /api/v1/webhooks/{client.name}")
    click.echo(f"  acts as {client.user.email}; granted {', '.join(client.grants)}")
    _secret_last(f"client {client.name} created", client.secret)


@webhooks.command("clients")
@with_appcontext
def list_clients():
    """List webhook clients and their grants (never their secrets)."""
    rows = db.session.scalars(
        select(WebhookClient).options(selectinload(WebhookClient.user)).order_by(WebhookClient.id)
    ).all()
    for row in rows:
        state = "active" if row.active else "inactive"
        click.echo(f"{row.id:>4}  {row.name:<24} {state:<8} {', '.join(row.grants)}")
    if not rows:
        click.echo("no webhook clients; create one with: flask webhooks add-client NAME --grant …")


@webhooks.command("rotate-secret")
@click.argument("name")
@with_appcontext
def rotate_client_secret(name):
    """Give client NAME a new secret; the old one is accepted for 24 hours more."""
    secret = command(lambda: hooks.rotate(db.session, None, _client(name), via="cli"))
    _secret_last(f"client {name}: new secret (the old one works until tomorrow)", secret)


@webhooks.command("deactivate")
@click.argument("name")
@with_appcontext
def deactivate_client(name):
    """Refuse client NAME's requests (403) until it is activated again."""
    command(lambda: hooks.change_client(db.session, None, _client(name), active=False, via="cli"))
    click.echo(f"client {name} is deactivated")


@webhooks.command("activate")
@click.argument("name")
@with_appcontext
def activate_client(name):
    """Accept client NAME's requests again."""
    command(lambda: hooks.change_client(db.session, None, _client(name), active=True, via="cli"))
    click.echo(f"client {name} is active")


@webhooks.command("receipts")
@click.option("--client", "client_name", help="Only this client's.")
@click.option("--outcome", type=click.Choice(["accepted", "duplicate", "rejected"]))
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@with_appcontext
def list_receipts(client_name, outcome, limit):
    """The latest requests received from webhook clients, newest first."""
    stmt = select(WebhookReceipt).order_by(WebhookReceipt.id.desc()).limit(limit)
    if client_name:
        stmt = stmt.where(WebhookReceipt.client_name == client_name)
    if outcome:
        stmt = stmt.where(WebhookReceipt.outcome == outcome)
    for r in db.session.scalars(stmt):
        what = f"{r.type or '-'} #{r.record_id}" if r.record_id else (r.type or "-")
        why = f"  {r.error}: {r.reason}" if r.outcome == "rejected" else ""
        click.echo(
            f"{r.id:>6}  {r.received_at:%Y-%m-%d %H:%M:%S}  {r.client_name:<16} "
            f"{(r.webhook_id or '-')[:32]:<32} {r.outcome:<9} {what}{why}"
        )


@webhooks.command("subscribe")
@click.argument("url")
@repeated(
    "--event",
    "events",
    "'*', '<workflow>.*' or '<workflow>.<state>' (repeatable).",
    metavar="PATTERN",
)
@click.option("--name", help="What the subscription is for.")
@with_appcontext
def subscribe(url, events, name):
    """Send the events matching PATTERNs to URL; the secret is printed on the last line."""
    try:
        values = {"url": url, "event_types": list(events), "name": name}
        row = command(lambda: hooks.subscribe(db.session, None, values, via="cli"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"subscription {row.id} ({row.name}): {', '.join(row.event_types)} → {row.url}")
    _secret_last(f"subscription {row.id} created", row.secret)


@webhooks.command("subscriptions")
@with_appcontext
def list_subscriptions():
    """List subscriptions, with their deliveries by status."""
    # Keyed in Python: SQLite before 3.44 has no concat().
    counts = {
        (sub_id, status): n
        for sub_id, status, n in db.session.execute(
            select(OutboxDelivery.subscription_id, OutboxDelivery.status, func.count()).group_by(
                OutboxDelivery.subscription_id, OutboxDelivery.status
            )
        )
    }
    rows = db.session.scalars(select(Subscription).order_by(Subscription.id)).all()
    for row in rows:
        state = "active" if row.active else "disabled"
        tally = " ".join(f"{s}={counts.get((row.id, s.value), 0)}" for s in DeliveryStatus)
        click.echo(f"{row.id:>4}  {state:<8} {row.url}  [{', '.join(row.event_types)}]  {tally}")
        if row.disabled_reason:
            click.echo(f"      {row.disabled_reason}")
    if not rows:
        click.echo("no subscriptions; create one with: flask webhooks subscribe URL --event '*'")


@webhooks.command("disable")
@click.argument("sub_id", metavar="ID", type=ID)
@with_appcontext
def disable_subscription(sub_id):
    """Stop delivering to subscription ID (pending deliveries wait)."""
    values = {"active": False, "disabled_reason": "disabled from the command line"}
    _change_subscription(sub_id, values)
    click.echo(f"subscription {sub_id} is disabled")


@webhooks.command("enable")
@click.argument("sub_id", metavar="ID", type=ID)
@with_appcontext
def enable_subscription(sub_id):
    """Deliver to subscription ID again (what waited is sent)."""
    _change_subscription(sub_id, {"active": True})
    click.echo(f"subscription {sub_id} is active")


@webhooks.command("rotate-subscription-secret")
@click.argument("sub_id", metavar="ID", type=ID)
@with_appcontext
def rotate_subscription_secret(sub_id):
    """New secret for subscription ID; for 24 hours deliveries carry both signatures."""
    secret = command(lambda: hooks.rotate(db.session, None, _subscription(sub_id), via="cli"))
    _secret_last(f"subscription {sub_id}: new secret", secret)


def _change_subscription(sub_id: int, values: dict) -> None:
    row = _subscription(sub_id)
    command(lambda: hooks.change_subscription(db.session, None, row, values, via="cli"))


@webhooks.command("demo-receiver")
@click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True)
@click.option(
    "--subscription",
    "sub_name",
    default="demo-receiver",
    show_default=True,
    help="The subscription (by name) whose secret verifies the deliveries.",
)
@with_appcontext
def demo_receiver(port, sub_name):
    """A receiver for the demo: verifies each delivery and prints it."""
    from alur.demo_receiver import serve

    row = db.session.scalar(select(Subscription).where(Subscription.name == sub_name))
    if row is None:
        raise click.BadParameter(f"no subscription named {sub_name!r}", param_hint="--subscription")
    secrets = row.secrets(utcnow())
    db.session.remove()
    serve(port, secrets, echo=click.echo)


# -- outbox ----------------------------------------------------------------------------


@click.group()
def outbox():
    """Deliver events to subscribers; inspect and redeliver."""


def _settings() -> deliveries.Settings:
    try:
        return deliveries.Settings.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(f"outbox settings: {exc}") from None


def _report(claim, answer, outcome) -> None:
    status = answer.status_code if answer.status_code is not None else "---"
    error = f"  {answer.error[:120]}" if answer.error else ""
    click.echo(
        f"delivery {claim.delivery_id:>6}  {claim.message_id}  {status}  "
        f"{answer.duration_ms:>5} ms  {outcome:<9} {claim.url}{error}"
    )


@outbox.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--name", help="This worker's name in the attempt log [host:pid].")
@click.option("--quiet", is_flag=True, help="Do not print each attempt.")
@with_appcontext
def work(once, name, quiet):
    """Deliver outbox events to subscribers, with retries, until stopped (or --once)."""
    worker = delivery.Worker(db.session, _settings(), report=None if quiet else _report)
    if name:
        worker.name = name
    worker.chore_failed = lambda exc: click.echo(
        f"outbox worker {worker.name}: {type(exc).__name__}: {exc}", err=True
    )
    minutes = float(current_app.config.get("AUDIT_CHECKPOINT_MINUTES") or 0)
    if minutes > 0 and not once:
        # Looked at every minute; written when the newest is ``minutes`` old (several
        # workers share the work: the first to find it due writes it).
        worker.chores.append((60.0, lambda session: _checkpoint_if_due(session, minutes)))
    # The audit log's partitions of this year and the next exist before they are needed
    # (PostgreSQL; looked at every 6 hours, the first time at start).
    worker.chores.append((6 * 3600.0, audit_partitions.ensure))
    # Acting officials whose delegation starts today are told (looked at every 5 minutes).
    worker.chores.append((300.0, lambda session: delegation.tell_starting(session)))
    mails = _mail_chore()
    if mails is not None and not once:
        worker.chores.append((worker.settings.poll, mails))
    if once:
        told = delegation.tell_starting(db.session)
        totals = worker.once()
        if told:
            totals["acting officials told"] = told
        if mails is not None:
            for outcome, n in mails(db.session).items():
                totals[f"mail {outcome}"] = totals.get(f"mail {outcome}", 0) + n
    else:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"outbox worker {worker.name}: delivering (Ctrl-C to stop)")
        totals = worker.run(stop)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(totals.items())) or "nothing was due"
    click.echo(f"outbox worker {worker.name}: {summary}")


def _mail_chore():
    """The notifications' mails, sent by the same worker (None: no mail server is set)."""
    from admin import mail

    app = current_app._get_current_object()
    if not mail.configured(app):
        return None
    settings = _settings()
    connections = app.config.get("MAIL_CONNECTIONS")
    if not isinstance(connections, int) or isinstance(connections, bool) or connections < 1:
        raise click.ClickException(
            "mail settings: ALUR_MAIL_CONNECTIONS must be a whole number from 1 "
            f"(not {connections!r})"
        )

    hour = int(app.config["NOTIFICATION_DIGEST_HOUR"])

    def send_due(session) -> dict:
        with mail.sender(app) as sender:
            return mailing.drain(session, sender, settings, digest_hour=hour)

    return send_due


def _checkpoint_if_due(session, minutes: float) -> None:
    if not checkpoints.due(session, minutes):
        return
    try:
        cp, made = checkpoints.create(session, current_app.config.get("AUDIT_CHECKPOINT_DIR"))
    except (checkpoints.LogShrank, checkpoints.ArchiveError):
        raise  # told as a failure: the logs hold less than a checkpoint covered
    except Conflict:
        return  # another worker wrote it
    if made:
        click.echo(f"audit checkpoint {cp.seq} written and published (digest {cp.digest[:12]})")


@outbox.command("status")
@with_appcontext
def status():
    """Deliveries by status, and events not yet fanned out."""
    counts = dict(
        db.session.execute(
            select(OutboxDelivery.status, func.count()).group_by(OutboxDelivery.status)
        ).all()
    )
    waiting = db.session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
    )
    click.echo(f"events not yet fanned out: {waiting}")
    for s in DeliveryStatus:
        click.echo(f"{s.value:<10} {counts.get(s.value, 0)}")


@outbox.command("deliveries")
@click.option("--status", "status_", type=click.Choice([s.value for s in DeliveryStatus]))
@click.option("--subscription", "sub_id", type=ID, help="Only this subscription's.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@with_appcontext
def list_deliveries(status_, sub_id, limit):
    """The latest deliveries, newest first."""
    stmt = (
        select(OutboxDelivery)
        .options(selectinload(OutboxDelivery.event))
        .order_by(OutboxDelivery.id.desc())
        .limit(limit)
    )
    if status_:
        stmt = stmt.where(OutboxDelivery.status == status_)
    if sub_id:
        stmt = stmt.where(OutboxDelivery.subscription_id == sub_id)
    for d in db.session.scalars(stmt):
        last = f"last {d.last_status or '---'}" if d.attempts else "not tried"
        click.echo(
            f"{d.id:>6}  sub {d.subscription_id:<4} {d.event.event_id}  {d.event.type:<32} "
            f"{d.status:<9} tries {d.attempts:<2} {last}"
        )


@outbox.command("show")
@click.argument("delivery_id", type=ID)
@with_appcontext
def show(delivery_id):
    """One delivery and its attempt log."""
    d = db.session.get(OutboxDelivery, delivery_id)
    if d is None:
        raise click.BadParameter(f"no delivery {delivery_id}", param_hint="DELIVERY_ID")
    click.echo(f"delivery {d.id}: {d.event.type} {d.event.event_id} → {d.subscription.url}")
    due = f"; next try {d.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC" if d.status == "pending" else ""
    click.echo(f"  status {d.status}, {d.attempts} tries{due}")
    for a in d.attempt_log:
        status = a.status_code if a.status_code is not None else "---"
        click.echo(
            f"  {a.started_at:%Y-%m-%d %H:%M:%S}  {status}  {a.duration_ms:>5} ms  "
            f"{a.outcome:<9} {a.worker}" + (f"  {a.error}" if a.error else "")
        )


@outbox.command("redeliver")
@click.argument("delivery_ids", type=ID, nargs=-1)
@click.option("--dead", is_flag=True, help="Every dead delivery (of --subscription, if given).")
@click.option("--subscription", "sub_id", type=ID, help="With --dead: only this subscription.")
@with_appcontext
def redeliver(delivery_ids, dead, sub_id):
    """Send deliveries again now, with a fresh retry schedule."""
    if bool(delivery_ids) == dead:
        raise click.UsageError("give delivery ids, or --dead (not both)")
    if sub_id is not None and not dead:
        raise click.UsageError("--subscription goes with --dead")
    if dead:
        if sub_id is not None:
            _subscription(sub_id)
        try:
            count = deliveries.redeliver_dead(db.session, subscription_id=sub_id, via="cli")
        except WorkflowError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"{count} dead deliveries are due again")
        return
    try:
        rows = deliveries.redeliver(db.session, delivery_ids, via="cli")
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"due again: {', '.join(str(r.id) for r in rows)}")


@outbox.command("demo-mail-sink")
@click.option("--port", type=click.IntRange(1, 65535), default=1025, show_default=True)
def demo_mail_sink(port):
    """A mail server for the demo: accepts every mail and prints its recipient and subject."""
    from alur.demo_mail import serve

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    serve(port, stop, echo=click.echo)
