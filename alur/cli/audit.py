"""``flask audit``: check the audit log's hash chains."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from alur.extensions import db
from workflow import audit as audit_log
from workflow import audit_keys
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


@audit.command("rotate-key")
@with_appcontext
def rotate_key():
    """Make a new audit key, and say how to put it in service.

    Entries are signed with ALUR_AUDIT_KEY; the keys before it stay in
    ALUR_AUDIT_OLD_KEYS, so the entries they signed still verify. Nothing in
    the database changes: the new key signs what comes after the restart.
    """
    ring = audit_keys.current()
    key = audit_keys.new_key()
    old = sorted(kid for kid in ring.secrets_by_id if kid != ring.current_id)
    click.echo(f"new audit key {audit_keys.key_id(key)} (now in service: {ring.current_id}"
               f"{'; verify-only: ' + ', '.join(old) if old else ''}).")  # fmt: skip
    click.echo("Set in the environment of every process, then restart them all:")
    click.echo("  ALUR_AUDIT_OLD_KEYS: add the current ALUR_AUDIT_KEY to it (keep the ones there)")
    click.echo("  ALUR_AUDIT_KEY: the new key, on the last line; store it as you store the others")
    click.echo(key)
