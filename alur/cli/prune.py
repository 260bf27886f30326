"""``flask prune``: delete the traffic kept long enough (run it from cron, e.g. daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from workflow import retention
from workflow.db import db

LABELS = {
    "deliveries": "delivered webhook deliveries (with their attempts)",
    "events": "events left without deliveries",
    "idempotency_keys": "idempotency keys",
    "receipts": "received webhooks",
}


@click.command("prune")
@click.option(
    "--delivered-days",
    type=click.FloatRange(min=0),
    help="Keep delivered deliveries and their events this long (default 30; KEEP_DELIVERED_DAYS).",
)
@click.option(
    "--idempotency-hours",
    type=click.FloatRange(min=0),
    help="Keep idempotency keys this long (default 24; KEEP_IDEMPOTENCY_HOURS).",
)
@click.option(
    "--receipts-days",
    type=click.FloatRange(min=0),
    help="Keep received webhooks this long (default 90; KEEP_RECEIPTS_DAYS).",
)
@click.option("--quiet", is_flag=True, help="Print only the totals.")
@with_appcontext
def prune(delivered_days, idempotency_hours, receipts_days, quiet):
    """Delete delivered webhooks, old idempotency keys and received webhooks past their time.

    Records and their audit log are never touched. Safe to run at any time and as
    often as wanted; a large backlog goes in batches of short transactions.
    """
    config = {**current_app.config}
    for name, value in (
        ("KEEP_DELIVERED_DAYS", delivered_days),
        ("KEEP_IDEMPOTENCY_HOURS", idempotency_hours),
        ("KEEP_RECEIPTS_DAYS", receipts_days),
    ):
        if value is not None:
            config[name] = value
    try:
        keep = retention.Keep.from_config(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None

    def progress(kind: str, done: int) -> None:
        if not quiet:
            click.echo(f"  {LABELS[kind]}: {done:,} deleted so far", err=True)

    counts = retention.prune(db.session, keep, progress=progress)
    click.echo(", ".join(f"{counts[kind]:,} {LABELS[kind]}" for kind in LABELS) + " deleted")
