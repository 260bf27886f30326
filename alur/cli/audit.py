"""``flask audit``: verify the audit log, write and publish checkpoints, rotate the key."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from workflow import audit_keys, audit_partitions, checkpoint_checks, checkpoints, verification
from workflow.db import db, utcnow
from workflow.errors import Busy, Conflict
from workflow.models import AuditEntry, ChangeEntry

# A full verify is one long read: bounded, but well past the default statement bound.
VERIFY_STATEMENT_TIMEOUT = "2h"


@click.group()
def audit():
    """Audit log tools."""


@audit.command("verify")
@click.option(
    "--since-checkpoint",
    is_flag=True,
    help="Check the newest checkpoint and what came after it only.",
)
@click.option(
    "--against",
    "against",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A published checkpoint (JSON) the database must still hold.",
)
@click.option(
    "--public-key",
    help="The public key the published checkpoint is signed with "
    "(hex), when its audit key is not held here.",
)
@click.option("--quiet", is_flag=True, help="Print nothing but problems.")
@with_appcontext
def verify(since_checkpoint, against, public_key, quiet):
    """Verify the checkpoints, every record's chain and fields, and the change log.

    Exits 1 and names every problem found (the first 100 of them).
    """
    published = None
    if against is not None:
        if since_checkpoint:
            raise click.UsageError("--against checks everything; leave out --since-checkpoint")
        try:
            with against.open(encoding="utf-8-sig") as f:
                published = checkpoints.load_published(f.read(checkpoints.MAX_PUBLISHED + 1))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise click.ClickException(f"{against}: {exc}") from None
    started, clock = utcnow(), time.perf_counter()
    archive = current_app.config.get("AUDIT_CHECKPOINT_DIR")
    try:
        report = _run_verify(since_checkpoint, published, public_key, archive, quiet)
    except Exception as exc:  # whatever stopped it is a failed verify, and said so
        db.session.rollback()
        report = verification.VerifyReport(kind="incremental" if since_checkpoint else "full")
        report.add(f"verify stopped: {type(exc).__name__}: {exc}")
    checkpoint_checks.record_verify(db.session, report, started)
    if not archive and not quiet:
        click.echo(
            "note: no ALUR_AUDIT_CHECKPOINT_DIR: the newest checkpoints are held by the "
            "database alone; --against FILE checks a published one",
            err=True,
        )
    where = f" (checkpoint {report.checkpoint})" if report.checkpoint else " (no checkpoint yet)"
    if report.ok:
        if not quiet:
            what = "since the checkpoint" if report.kind == "incremental" else "verified"
            click.echo(
                f"OK: {report.entries} audit entries of {report.records} records and "
                f"{report.changes} change entries {what}{where} in "
                f"{time.perf_counter() - clock:.2f} s"
            )
        return
    click.echo(f"BROKEN: {report.problems[0]}", err=True)
    for problem in report.problems[1:]:
        click.echo(f"  also: {problem}", err=True)
    hidden = report.problem_count - len(report.problems)
    if hidden:
        click.echo(f"  ... and {hidden} more", err=True)
    click.echo(
        f"{report.problem_count} problem(s) in {report.entries} entries of "
        f"{report.records} records{where}",
        err=True,
    )
    raise SystemExit(1)


def _run_verify(since_checkpoint, published, public_key, archive, quiet):
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL statement_timeout = '{VERIFY_STATEMENT_TIMEOUT}'"))
    total = 0
    if not since_checkpoint:
        total = db.session.scalar(select(func.count()).select_from(AuditEntry)) + db.session.scalar(
            select(func.count()).select_from(ChangeEntry)
        )
    with click.progressbar(
        length=max(total, 1), label="Verifying the audit log", hidden=quiet or since_checkpoint
    ) as bar:
        if since_checkpoint:
            report = verification.verify_since_checkpoint(db.session, progress=bar.update)
        else:
            report = verification.verify(db.session, progress=bar.update)
    if published is not None:
        report.kind = "against"
        checkpoint_checks.check_published(db.session, published, report.add, public_key)
    if archive:
        checkpoint_checks.check_archive(db.session, archive, report.add)
    return report


@audit.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the checkpoint, as published, to this file (JSON).",
)
@with_appcontext
def checkpoint(out):
    """Write a signed checkpoint of the logs and publish it (event audit.checkpoint)."""
    try:
        cp, made = checkpoints.create(db.session, current_app.config.get("AUDIT_CHECKPOINT_DIR"))
    except (Conflict, Busy) as exc:
        raise click.ClickException(str(exc)) from None
    if made:
        click.echo(
            f"checkpoint {cp.seq}: {cp.audit_upto} audit entries, {cp.change_upto} "
            f"change entries; digest {cp.digest}"
        )
    else:
        click.echo(f"nothing logged since checkpoint {cp.seq}; digest {cp.digest}")
    if out is not None:
        try:
            out.write_text(json.dumps(checkpoints.published(cp), indent=2) + "\n", "utf-8")
        except OSError as exc:
            raise click.ClickException(f"{out}: {exc}") from None
        click.echo(f"written to {out}")


@audit.command("partitions")
@click.option(
    "--year",
    "wanted",
    type=click.IntRange(1901, 9999),
    multiple=True,
    help="Make this year's partition (again for more); default: this year and the next.",
)
@with_appcontext
def partitions(wanted):
    """The audit log's partitions by year (PostgreSQL): make the missing ones, list them all."""
    if not audit_partitions.partitioned(db.session):
        click.echo("The audit log is one table here (partitions are PostgreSQL's).")
        return
    made = audit_partitions.ensure(db.session, wanted or None)
    for year in made:
        click.echo(f"made {audit_partitions.name(year)}")
    click.echo("years: " + ", ".join(str(y) for y in audit_partitions.years(db.session)))


@audit.command("public-key")
@with_appcontext
def public_key():
    """Print the public keys checkpoints are signed with, by key id (give them to verifiers)."""
    ring = audit_keys.current()
    for kid in sorted(ring.secrets_by_id, key=lambda k: k != ring.current_id):
        state = "signs now" if kid == ring.current_id else "verify only"
        click.echo(f"{kid}  {ring.public_key(kid)}  ({state})")


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
    click.echo(
        f"new audit key {audit_keys.key_id(key)} (now in service: {ring.current_id}"
        f"{'; verify-only: ' + ', '.join(old) if old else ''})."
    )
    click.echo("Set in the environment of every process, then restart them all:")
    click.echo("  ALUR_AUDIT_OLD_KEYS: add the current ALUR_AUDIT_KEY to it (keep the ones there)")
    click.echo("  ALUR_AUDIT_KEY: the new key, on the last line; store it as you store the others")
    click.echo("Checkpoints are signed with the new key from then on; give its public key to")
    click.echo(f"whoever verifies published checkpoints: {audit_keys.ring(key).public_key()}")
    click.echo(key)
