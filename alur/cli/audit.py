"""``flask audit``: check the audit log's hash chains."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from alur.extensions import db
from workflow import audit as audit_log
from workflow.models import AuditEntry


@click.group()
def audit():
    """Audit log tools."""


@audit.command("verify")
@click.option("--quiet", is_flag=True, help="Print nothing but problems.")
@with_appcontext
def verify(quiet):
    """Verify every record's audit chain; exit 1 at the first broken link."""
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    with click.progressbar(length=total, label="Verifying audit chains", hidden=quiet) as bar:
        report = audit_log.verify(db.session, progress=bar.update)
    db.session.rollback()
    if report.ok:
        if not quiet:
            click.echo(f"OK: {report.entries} audit entries of {report.records} records verified")
        return
    click.echo(f"BROKEN: {report.problems[0]}", err=True)
    for problem in report.problems[1:]:
        click.echo(f"  also: {problem}", err=True)
    hidden = report.problem_count - len(report.problems)
    if hidden:
        click.echo(f"  ... and {hidden} more", err=True)
    click.echo(
        f"{report.problem_count} problem(s) in {report.entries} entries of "
        f"{report.records} records",
        err=True,
    )
    raise SystemExit(1)
