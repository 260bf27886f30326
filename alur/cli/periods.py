"""``flask periods``: an agency's performance periods, defined and opened."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from alur.cli.common import ID, command, one
from workflow import periods as core
from workflow.db import db
from workflow.models import Agency, Employee, PerformancePeriod, PeriodKind

DATE = click.DateTime(["%Y-%m-%d"])
DATE_OPTIONS = {
    "starts_on": "first day [from the year, kind and number]",
    "ends_on": "last day [likewise]",
    "plans_due_on": "SKP plans agreed by",
    "realisation_due_on": "realisation and evidence entered by",
    "evaluation_due_on": "evaluation done by",
}


@click.group()
def periods():
    """Performance periods (PermenPANRB 6/2022): define them, and open them for an agency."""


def _date_options(f):
    for name, text in reversed(DATE_OPTIONS.items()):
        f = click.option(f"--{name.replace('_', '-')}", name, type=DATE, help=text)(f)
    return f


@periods.command("define")
@click.option("--agency", "agency_code", required=True, metavar="CODE", help="The agency.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option(
    "--kind", type=click.Choice([k.value for k in PeriodKind]), default="annual", show_default=True
)
@click.option(
    "--number",
    type=click.IntRange(1, 12),
    default=1,
    show_default=True,
    help="The quarter (1-4) or month (1-12).",
)
@_date_options
@with_appcontext
def define(agency_code, year, kind, number, **dates):
    """Define the agency's period; its dates default from the year, kind and number."""
    agency = one(Agency, Agency.code, agency_code, f"agency {agency_code}", "--agency")
    given = {name: value.date() for name, value in dates.items() if value is not None}
    row = command(
        lambda: core.define(
            db.session,
            None,
            agency_id=agency.id,
            year=year,
            kind=kind,
            number=number,
            via="cli",
            **given,
        )
    )
    click.echo(f"period {row.id}: {agency.code} {row.year} {row.code}, {_dates(row)}")


@periods.command("list")
@click.option("--agency", "agency_code", metavar="CODE", help="Only this agency's.")
@with_appcontext
def list_periods(agency_code):
    """The periods, newest first, with the appraisals each holds."""
    query = select(PerformancePeriod).order_by(PerformancePeriod.id.desc()).limit(500)
    if agency_code:
        agency = one(Agency, Agency.code, agency_code, f"agency {agency_code}", "--agency")
        query = query.where(PerformancePeriod.agency_id == agency.id)
    for row in db.session.scalars(query):
        opened = f"opened {row.opened_at:%Y-%m-%d %H:%M}" if row.opened_at else "not opened"
        click.echo(
            f"{row.id:>5}  {row.agency.code}  {row.year} {row.code:<6} {_dates(row)}  {opened}"
        )


@periods.command("open")
@click.argument("period_id", type=ID)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def open_period(period_id, quiet):
    """Make the appraisal of PERIOD_ID for every employee of its agency who has none, and
    for a year their SKP plan too."""
    period = db.session.get(PerformancePeriod, period_id)
    if period is None:
        raise click.BadParameter(f"no period {period_id}", param_hint="PERIOD_ID")
    staff = db.session.scalar(
        select(func.count()).select_from(Employee).where(Employee.agency_id == period.agency_id)
    )
    with click.progressbar(length=max(staff, 1), label="Opening", hidden=quiet) as bar:
        report = command(
            lambda: core.open_period(db.session, None, period_id, via="cli", progress=bar.update)
        )
    click.echo(
        f"period {period_id}: {report.made} appraisals made, {report.had_one} had one already, "
        f"{len(report.left_out)} left out"
    )
    if report.plans_made or report.had_plan:
        click.echo(
            f"period {period_id}: {report.plans_made} SKP plans made, "
            f"{report.had_plan} had one already"
        )
    for nip, reason in report.left_out[:50]:
        click.echo(f"  left out {nip}: {reason}")
    if len(report.left_out) > 50:
        click.echo(f"  … and {len(report.left_out) - 50} more")


def _dates(row: PerformancePeriod) -> str:
    return (
        f"{row.starts_on:%Y-%m-%d}..{row.ends_on:%Y-%m-%d}, plans by {row.plans_due_on:%Y-%m-%d}, "
        f"realisation by {row.realisation_due_on:%Y-%m-%d}, "
        f"evaluation by {row.evaluation_due_on:%Y-%m-%d}"
    )
