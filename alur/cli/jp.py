"""``flask jp report``: who is below the 20 JP yearly right, by agency and unit."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from alur.cli.common import one
from workflow import jp as ledger
from workflow.db import db
from workflow.models import Agency, Unit


@click.group()
def jp():
    """The JP ledger of competency development."""


@jp.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--agency", "agency_code", required=True, help="The agency's code.")
@click.option("--unit", "unit_code", help="Only this work unit (its code).")
@click.option(
    "--threshold",
    type=click.IntRange(1, 1000),
    default=ledger.YEARLY_RIGHT,
    show_default=True,
    help="JP a year each employee has a right to.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 1_000_000),
    default=1000,
    show_default=True,
    help="At most this many employees listed.",
)
@with_appcontext
def report(year, agency_code, unit_code, threshold, limit):
    """Per unit, employees and how many are below THRESHOLD JP; then those employees."""
    agency = one(Agency, Agency.code, agency_code, f"agency with code {agency_code!r}", "--agency")
    unit_id = None
    if unit_code:
        unit = db.session.scalar(
            select(Unit).where(Unit.agency_id == agency.id, Unit.code == unit_code)
        )
        if unit is None:
            raise click.BadParameter(f"no unit {unit_code!r} in {agency.code}", param_hint="--unit")
        unit_id = unit.id
    totals = ledger.totals(
        db.session, year=year, agency_id=agency.id, unit_id=unit_id, threshold=threshold
    )
    click.echo(f"{agency.name}, {year}: below {threshold} JP")
    for t in totals:
        click.echo(f"  {t.unit:<50} {t.below:>6} of {t.employees:<6} ({t.jp} JP credited)")
    employees = sum(t.employees for t in totals)
    click.echo(f"  {'total':<50} {sum(t.below for t in totals):>6} of {employees}")
    units = {t.unit_id: t.unit for t in totals}
    for row in ledger.below(
        db.session,
        year=year,
        agency_id=agency.id,
        unit_id=unit_id,
        threshold=threshold,
        limit=limit,
    ):
        click.echo(f"{row.nip}  {row.jp:>3} JP  {row.name:<40} {units.get(row.unit_id, '')}")
