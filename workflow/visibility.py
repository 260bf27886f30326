"""Who may see which records: the parties of a workflow see the records they take part in."""

from __future__ import annotations

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session, object_session

from workflow.definition import Party, Workflow
from workflow.models.accounts import RoleName, User
from workflow.parties import HR


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
    clauses = {
        p.name: c for p in parties(wf) if p.where and (c := p.where(actor, model)) is not None
    }
    whole_agency = clauses.pop(HR.name, None) is not None
    own = list(clauses.values())
    if actor.has_role(RoleName.EXTERNAL_SYSTEM) or whole_agency:
        return agency_or_own(object_session(actor), model, actor.agency_id, own)
    return or_(*own) if own else false()


def agency_or_own(session: Session, model, agency_id: int, own: list):
    """The rows of ``agency_id``, and those of the clauses ``own`` outside it (by id).

    An agency's rows are one range of its (agency_id, id) index. ORed with an
    officer's own records instead, the condition made PostgreSQL walk the primary
    key through every agency before theirs to fill a page (the benchmark's lists
    measure it). Their records elsewhere are few if any.
    """
    in_agency = model.agency_id == agency_id
    if not own:
        return in_agency
    elsewhere = session.scalars(
        select(model.id).where(or_(*own), model.agency_id != agency_id).order_by(model.id)
    ).all()
    return or_(in_agency, model.id.in_(elsewhere)) if elsewhere else in_agency


def can_see(record, actor: User) -> bool:
    """Whether ``actor`` may see ``record``."""
    from workflow.workflows import workflow_for

    if _sees_everything(actor):
        return True
    if actor.has_role(RoleName.EXTERNAL_SYSTEM) and actor.agency_id == record.agency_id:
        return True
    return any(party.holds(actor, record) for party in parties(workflow_for(record)))
