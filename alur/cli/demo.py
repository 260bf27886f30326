"""``flask seed-demo``: load the demo data (idempotent)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from alur.demo import DEMO_PASSWORD, Seeder
from workflow.db import db
from workflow.errors import WorkflowError


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo regions, people, programs and records; safe to run again."""
    seeder = Seeder(db.session, echo=lambda message: click.echo(f"  {message}"))
    click.echo("Loading demo data ...")
    try:
        logins = seeder.run()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(f"demo data could not be loaded: {exc.message}") from None
    click.echo(f"Demo data ready: {seeder.created} rows created (0 means it was already there).")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    width = max(len(login.email) for login in logins)
    for login in logins:
        click.echo(f"  {login.email:<{width}}  {login.roles:<11}  {login.who}")
    if seeder.new_secrets:
        click.echo("\nWebhook secrets (shown once; `flask webhooks rotate-secret` makes new ones):")
        for what, secret in seeder.new_secrets:
            click.echo(f"  {what}: {secret}")
