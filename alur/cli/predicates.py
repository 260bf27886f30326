"""``flask predicates``: the distribution of predicates and the organisation's rating."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from alur.cli.common import one
from workflow import distribution
from workflow.db import db
from workflow.errors import WorkflowError
from workflow.models import Agency, OrganisationPredicate

PERIOD = click.option(
    "--period", default="annual", show_default=True, help="annual, Q1..Q4, M01..M12"
)
YEAR = click.option("--year", type=click.IntRange(2000, 2100), required=True)
AGENCY = click.option("--agency", "agency_code", required=True, help="The agency's code.")


def _agency(code: str) -> Agency:
    return one(Agency, Agency.code, code, f"agency with code {code!r}", "--agency")


@click.group()
def predicates():
    """How an agency's predicates are spread, against its own rating's guidance."""


@predicates.command("report")
@AGENCY
@YEAR
@PERIOD
@with_appcontext
def report(agency_code, year, period):
    """The share of each predicate among the approved appraisals, and the guidance."""
    agency = _agency(agency_code)
    result = distribution.report(db.session, agency_id=agency.id, year=year, period=period)
    click.echo(f"{agency.name}, {year} {period}: {result.total} approved appraisals")
    for row in result.shares:
        click.echo(f"  {row.predicate:<20} {row.count:>7}  {row.share:6.1%}")
    if result.rating is None:
        click.echo("organisation rating: not recorded (flask predicates rate)")
        return
    click.echo(f"organisation rating: {result.rating}; guidance of {result.guidance}:")
    marks = {True: "met", False: "NOT MET", None: "-"}
    for finding in result.findings:
        click.echo(f"  [{marks[finding.met]:>7}] {finding.text} (now {finding.share:.1%})")


@predicates.command("rate")
@AGENCY
@YEAR
@PERIOD
@click.argument("rating", type=click.Choice([r.value for r in OrganisationPredicate]))
@click.option("--note", help="Where the rating comes from, e.g. the decree.")
@with_appcontext
def rate(agency_code, year, period, rating, note):
    """Record the organisation's own RATING for the period (replaces an earlier one)."""
    agency = _agency(agency_code)
    try:
        distribution.set_rating(
            db.session,
            None,
            agency_id=agency.id,
            year=year,
            period=period,
            rating=rating,
            note=note,
            via="cli",
        )
    except WorkflowError as exc:
        raise click.BadParameter(exc.explained()) from None
    click.echo(f"{agency.name}, {year} {period}: organisation rating {rating}")
