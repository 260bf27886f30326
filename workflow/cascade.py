"""The cascade through one RHK: what it supports, up to the agency's target, and what
supports it, as far down as the viewer may see (PermenPANRB 6/2022's *cascading*)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import policy
from workflow.models.plans import RhkItem, SkpPlan

# How far the cascade is followed: an org chart is seldom deeper than eight levels, and a
# loop (a hand-edited parent) must not run forever.
MAX_DEPTH = 12


@dataclass
class Node:
    """One RHK in a cascade: whose, what, and the RHK below it the viewer may see."""

    item: RhkItem
    children: list[Node] = field(default_factory=list)
    hidden: int = 0  # RHK below it in plans the viewer may not see


@dataclass
class Cascade:
    """An RHK with the chain above it (nearest first) and the tree below it."""

    up: list[RhkItem]
    node: Node
    agency_target: str | None


def through(session: Session, actor, item: RhkItem) -> Cascade:
    """The cascade through ``item``: up to the agency's target, down as far as it goes.

    The chain above is shown to whoever may see ``item`` (it is what their plan serves);
    below, only RHK of plans the viewer may see, with a count of the others. Withdrawn
    plans are left out.
    """
    up, seen, parent = [], {item.id}, item.parent
    while parent is not None and len(up) < MAX_DEPTH and parent.id not in seen:
        up.append(parent)
        seen.add(parent.id)
        parent = parent.parent
    top = up[-1] if up else item
    return Cascade(
        up=up, node=_below(session, actor, item, seen, 0), agency_target=top.agency_target
    )


def _below(session: Session, actor, item: RhkItem, seen: set, depth: int) -> Node:
    node = Node(item)
    if depth >= MAX_DEPTH:
        return node
    children = session.scalars(
        select(RhkItem)
        .join(SkpPlan, RhkItem.plan_id == SkpPlan.id)
        .where(RhkItem.parent_id == item.id, SkpPlan.state != "withdrawn")
        .order_by(SkpPlan.employee_id, RhkItem.position)
    ).all()
    for child in children:
        if child.id in seen:
            continue
        seen.add(child.id)
        if actor is not None and not policy.can_see(actor, child.plan):
            node.hidden += 1
            continue
        node.children.append(_below(session, actor, child, seen, depth + 1))
    return node
