"""Who may see which records: the parties of a workflow see the records they take part in."""

from __future__ import annotations

from sqlalchemy import false, or_

from workflow.definition import Party, Workflow
from workflow.models.accounts import RoleName, User


def parties(wf: Workflow) -> list[Party]:
    """Every party named anywhere in the workflow, once each."""
    seen: dict[str, Party] = {}
    for spec in wf.transitions:
        for party in spec.who:
            seen.setdefault(party.name, party)
    for party in wf.create_who:
        seen.setdefault(party.name, party)
    return list(seen.values())


def _sees_everything(actor: User) -> bool:
    return actor.has_role(RoleName.ADMIN) or (
        actor.has_role(RoleName.EXTERNAL_SYSTEM) and actor.agency_id is None
    )


def visible_clause(wf: Workflow, actor: User):
    """A WHERE clause selecting the records of ``wf`` that ``actor`` may see; None: all."""
    if _sees_everything(actor):
        return None
    model = wf.model
    clauses = [c for p in parties(wf) if p.where and (c := p.where(actor, model)) is not None]
    if actor.has_role(RoleName.EXTERNAL_SYSTEM):
        clauses.append(model.agency_id == actor.agency_id)
    return or_(*clauses) if clauses else false()


def can_see(record, actor: User) -> bool:
    """Whether ``actor`` may see ``record``."""
    from workflow.workflows import workflow_for

    if _sees_everything(actor):
        return True
    if actor.has_role(RoleName.EXTERNAL_SYSTEM) and actor.agency_id == record.agency_id:
        return True
    return any(party.holds(actor, record) for party in parties(workflow_for(record)))
