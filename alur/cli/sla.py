"""``flask sla``: step deadlines (run it from cron) and the holiday calendar."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from workflow import WorkflowError, changes
from workflow import sla as deadlines
from workflow.db import db
from workflow.models import Holiday


@click.group()
def sla():
    """Deadlines of workflow steps in working days."""


@sla.command("run")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="As if on this date (WIB).")
@click.option("--quiet", is_flag=True, help="Print only the totals.")
@with_appcontext
def run(today, quiet):
    """Remind of steps due tomorrow and escalate overdue ones; idempotent (cron: every minute)."""
    report = deadlines.run(db.session, today=today.date() if today else None)
    if not quiet:
        for line in report.lines:
            click.echo(line)
    click.echo(f"{report.reminders} reminders, {report.escalations} escalations")


@sla.command("holiday")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.argument("name")
@with_appcontext
def add_holiday(day, name):
    """Add DAY (YYYY-MM-DD) to the holiday calendar: it is no working day for deadlines."""
    row = db.session.get(Holiday, day.date()) or Holiday(day=day.date())
    try:
        changes.save(db.session, None, row, {"name": name}, via="cli")
    except WorkflowError as exc:
        raise click.ClickException(exc.explained()) from None
    click.echo(f"{day:%Y-%m-%d}: {name}")


@sla.command("holidays")
@with_appcontext
def list_holidays():
    """The holiday calendar."""
    for row in db.session.scalars(select(Holiday).order_by(Holiday.day)):
        click.echo(f"{row.day:%Y-%m-%d}  {row.name}")
