"""``flask delegations``: acting officials (Plt/Plh) for a dated period."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from alur.cli.common import ID, one
from workflow import delegation
from workflow.db import db
from workflow.errors import WorkflowError
from workflow.models import Delegation, Employee


def _employee(nip: str, hint: str) -> Employee:
    return one(Employee, Employee.nip, nip, f"employee with NIP {nip}", hint)


@click.group()
def delegations():
    """Acting officials: who decides for whom, and until when."""


@delegations.command("add")
@click.option("--principal", required=True, metavar="NIP", help="The official stood in for.")
@click.option("--delegate", "acting", required=True, metavar="NIP", help="Who acts.")
@click.option("--from", "starts_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "ends_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--kind", type=click.Choice(["Plt", "Plh"]), default="Plh", show_default=True)
@with_appcontext
def add(principal, acting, starts_on, ends_on, kind):
    """Let DELEGATE take PRINCIPAL's decisions from --from to --to (both days included)."""
    p, d = _employee(principal, "--principal"), _employee(acting, "--delegate")
    try:
        row = delegation.delegate(
            db.session,
            None,
            principal_id=p.id,
            delegate_id=d.id,
            starts_on=starts_on.date(),
            ends_on=ends_on.date(),
            kind=kind,
            via="cli",
        )
    except WorkflowError as exc:
        raise click.BadParameter(exc.explained()) from None
    click.echo(
        f"delegation {row.id}: {kind} {d.name} for {p.name}, "
        f"{row.starts_on:%Y-%m-%d} to {row.ends_on:%Y-%m-%d}"
    )


@delegations.command("list")
@with_appcontext
def list_delegations():
    """Every delegation, newest first."""
    for row in db.session.scalars(select(Delegation).order_by(Delegation.id.desc()).limit(500)):
        state = "revoked" if row.revoked_at else ""
        click.echo(
            f"{row.id:>5}  {row.kind}  {row.delegate.name} for {row.principal.name}  "
            f"{row.starts_on:%Y-%m-%d} .. {row.ends_on:%Y-%m-%d} {state}"
        )


@delegations.command("revoke")
@click.argument("delegation_id", type=ID)
@with_appcontext
def revoke(delegation_id):
    """End delegation DELEGATION_ID now."""
    try:
        delegation.revoke(db.session, None, delegation_id, via="cli")
    except WorkflowError as exc:
        raise click.BadParameter(exc.message, param_hint="DELEGATION_ID") from None
    click.echo(f"delegation {delegation_id} is revoked")
