"""The cascade through one RHK: what it supports, up to the agency's target, and what
supports it, as far down as the viewer may see (PermenPANRB 6/2022's *cascading*)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

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
    more: int = 0  # RHK below it past what one cascade shows (``MAX_SHOWN``)


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
    return Cascade(up=up, node=_below(session, actor, item, seen), agency_target=top.agency_target)


# Parents asked about in one statement; RHK shown below one, at the most (a head's RHK in a
# large agency has the agency below it: the rest is counted, not listed).
CHUNK = 500
MAX_SHOWN = 1000


def _below(session: Session, actor, item: RhkItem, seen: set) -> Node:
    """The tree below ``item``, a level at a time: a statement per level (per CHUNK RHK of
    it), each RHK read with its plan and employee, rather than a few statements per RHK."""
    root = Node(item)
    frontier, depth, shown = [root], 0, 0
    while frontier and depth < MAX_DEPTH:
        by_id = {node.item.id: node for node in frontier}
        ids = list(by_id)
        below = []
        for start in range(0, len(ids), CHUNK):
            below += (
                session.scalars(
                    select(RhkItem)
                    .join(SkpPlan, RhkItem.plan_id == SkpPlan.id)
                    .where(RhkItem.parent_id.in_(ids[start : start + CHUNK]))
                    .where(SkpPlan.state != "withdrawn")
                    .options(contains_eager(RhkItem.plan).joinedload(SkpPlan.employee))
                    .order_by(SkpPlan.employee_id, RhkItem.position)
                )
                .unique()
                .all()
            )
        frontier = []
        for child in below:
            if child.id in seen:
                continue
            seen.add(child.id)
            parent = by_id[child.parent_id]
            if actor is not None and not policy.can_see(actor, child.plan):
                parent.hidden += 1
                continue
            if shown >= MAX_SHOWN:
                parent.more += 1
                continue
            node = Node(child)
            parent.children.append(node)
            frontier.append(node)
            shown += 1
        depth += 1
    return root
