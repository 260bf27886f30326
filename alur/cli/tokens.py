"""``flask tokens``: API tokens for users and external systems."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from alur.cli.common import ID, one
from workflow import tokens as api_tokens
from workflow.db import db
from workflow.errors import NotFound, WorkflowError
from workflow.models import ApiToken, User


@click.group()
def tokens():
    """Create, list and revoke API tokens."""


def _user(email: str) -> User:
    user = one(User, User.email, email, f"user with email {email}", "EMAIL")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated")
    return user


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    help="Expire after this many days (default: ALUR_API_TOKEN_DAYS, 90).",
)
@click.option("--no-expiry", is_flag=True, help="Never expire (an external system's token).")
@with_appcontext
def create_token(email, name, days, no_expiry):
    """Create a token for EMAIL; it is printed once, alone on the last line."""
    if days and no_expiry:
        raise click.UsageError("--days and --no-expiry exclude each other")
    user = _user(email)
    valid_for = None if no_expiry else timedelta(days=days) if days else api_tokens.DEFAULT
    try:
        row, token = api_tokens.create(db.session, None, user, name, via="cli", valid_for=valid_for)
    except WorkflowError as exc:
        raise click.BadParameter(exc.message, param_hint="--name") from None
    expiry = f", expires {row.expires_at:%Y-%m-%d}" if row.expires_at else ""
    click.echo(f"token {row.id} ({name!r}) for {email}{expiry}; store it now, it is shown once:")
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id", type=ID)
@with_appcontext
def revoke_token(token_id):
    """Revoke the token with id TOKEN_ID (see ``tokens list``)."""
    try:
        row = api_tokens.revoke(db.session, None, token_id, via="cli")
    except NotFound as exc:
        raise click.BadParameter(exc.message, param_hint="TOKEN_ID") from None
    click.echo(f"token {row.id} ({row.prefix}…) of {row.user.email} is revoked")


@tokens.command("list")
@click.argument("email")
@with_appcontext
def list_tokens(email):
    """List EMAIL's tokens (never the tokens themselves)."""
    user = _user(email)
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()
    for row in rows:
        state = api_tokens.status(row)
        expiry = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
        click.echo(f"{row.id:>6}  {row.prefix}…  {state:<8} expires {expiry:<10}  {row.name}")
    if not rows:
        click.echo(f"{email} has no tokens")
