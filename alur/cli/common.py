"""What the command line's groups share: repeated options, lookups, the core's refusals."""

from __future__ import annotations

import click
from sqlalchemy import select

from workflow.db import MAX_ID, db
from workflow.errors import WorkflowError

# A row's id as an argument: one the database could not hold is a bad argument (exit 2),
# not an overflow deep in the driver.
ID = click.IntRange(1, MAX_ID)


def repeated(flag: str, dest: str, help: str, **options):
    """A required option that may be given several times (``--grant a --grant b``)."""
    return click.option(flag, dest, multiple=True, required=True, help=help, **options)


def one(model, column, value, what: str, hint: str):
    """The row of ``model`` whose ``column`` is ``value``; bad argument (exit 2) if none."""
    row = db.session.scalar(select(model).where(column == value))
    if row is None:
        raise click.BadParameter(f"no {what}", param_hint=hint)
    return row


def command(run):
    """Run a command of the core as the operator; a refusal is an error (exit 1)."""
    try:
        return run()
    except WorkflowError as exc:
        raise click.ClickException(exc.explained()) from None
