"""``flask doctor``: whether this deployment's configuration can serve, and what to fix."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from alur import checks

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@with_appcontext
def doctor(as_json):
    """Check the database, migrations, Redis, keys, mail and storage; exit 1 if any fails."""
    results = checks.doctor(current_app)
    failed = [check for check in results if check.status == "fail"]
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [c.as_dict() for c in results]}))
    else:
        width = max(len(check.name) for check in results)
        for check in results:
            click.echo(f"{MARKS[check.status]}  {check.name:<{width}}  {check.detail}")
        warned = sum(check.status == "warn" for check in results)
        click.echo(
            f"{len(failed)} failed, {warned} warnings, environment {current_app.config['ALUR_ENV']}"
        )
    raise SystemExit(1 if failed else 0)
