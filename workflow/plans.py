"""The SKP plan's results (RHK): checked as written, digested for the audit, cascaded.

A main RHK supports an RHK of the assessor's agreed plan for the same year
(PermenPANRB 6/2022's *cascading*); the agency head's serve the agency's targets. Items
are written only with their plan, through the engine's create and edit
(``workflow.workflows.skp_plan``); this module checks them and reads the cascade.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from workflow.errors import InvalidPayload, Text
from workflow.models.org import Employee
from workflow.models.plans import RhkItem, RhkKind, SkpPlan

AGREED = "approved"


# The columns of an RHK its plan's digest sums up, in order; its id too, since what cites it
# names it by id (two rows' contents swapped by hand must show).
DIGESTED = ("id", "kind", "text", "parent_id", "agency_target", "indicators")


def digested_rows():
    """A select of each RHK's plan and the columns its digest sums up (for reading many)."""
    return select(RhkItem.plan_id, *(getattr(RhkItem, name) for name in DIGESTED))


def rhk_digest(items: list[RhkItem]) -> str:
    """SHA-256 of a plan's RHK in order: what its audit entries vouch for of them."""
    plain = [{name: getattr(item, name) for name in DIGESTED} for item in items]
    canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def unvouched(session: Session, only=None):
    """Plans whose RHK rows are not what their ``rhk_digest`` (which the audit entries vouch
    for) sums up: RHK written outside the engine. ``only``: a select of plan ids."""
    plans = select(SkpPlan.id, SkpPlan.rhk_digest).order_by(SkpPlan.id)
    items = digested_rows().order_by(RhkItem.plan_id, RhkItem.position, RhkItem.id)
    if only is not None:
        plans, items = plans.where(SkpPlan.id.in_(only)), items.where(RhkItem.plan_id.in_(only))
    # Both in plan order, walked side by side: a national verify holds one plan's RHK at once.
    rows = iter(session.execute(items.execution_options(yield_per=5000)))
    row = next(rows, None)
    for plan_id, digest in session.execute(plans.execution_options(yield_per=5000)):
        own = []
        while row is not None and row.plan_id <= plan_id:
            if row.plan_id == plan_id:
                own.append(row)
            row = next(rows, None)
        if rhk_digest(own) != digest:
            yield (
                f"skp_plan #{plan_id}: its RHK are not those its audit entries vouch for: "
                "changed outside the engine"
            )


def is_agency_head(employee: Employee) -> bool:
    """The top of the agency's chain: nobody above them on record."""
    return employee.supervisor_id is None


def agreed_rhk(session: Session, assessor_id: int | None, year: int) -> list[RhkItem]:
    """The RHK of the assessor's agreed plan for ``year``: those a plan may cite."""
    if assessor_id is None:
        return []
    return list(
        session.scalars(
            select(RhkItem)
            .join(SkpPlan, RhkItem.plan_id == SkpPlan.id)
            .where(
                SkpPlan.employee_id == assessor_id,
                SkpPlan.year == year,
                SkpPlan.state == AGREED,
                # what cascades is the main results: an additional one leads to no target
                RhkItem.kind == RhkKind.MAIN,
            )
            .order_by(RhkItem.position)
        )
    )


def _citable(session: Session, parent_id: int, assessor_id: int | None, year: int) -> bool:
    parent = session.get(RhkItem, parent_id)
    return (
        parent is not None
        and assessor_id is not None
        and parent.plan.employee_id == assessor_id
        and parent.plan.year == year
        and parent.plan.state == AGREED
        and parent.kind == RhkKind.MAIN
    )


def _cleaned(value: str | None) -> str | None:
    """The text without its outer spaces; None if nothing visible is left (spaces, or only
    zero-width and other format characters)."""
    value = (value or "").strip()
    visible = any(not c.isspace() and unicodedata.category(c) != "Cf" for c in value)
    return value if visible else None


def rows(
    session: Session, employee: Employee, assessor_id: int | None, year: int, items: list[dict]
) -> list[RhkItem]:
    """The plan's RHK rows from loaded data, or InvalidPayload naming each wrong item.

    A draft may still lack what its submission needs (a source, an indicator); what it
    names must already be right: a cited RHK is one of the assessor's agreed plan.
    """
    errors: dict[int, dict[str, list]] = {}
    made = []
    head = is_agency_head(employee)
    for index, data in enumerate(items):
        wrong: dict[str, list] = {}
        kind, parent_id = data.get("kind", RhkKind.MAIN), data.get("parent_id")
        target = _cleaned(data.get("agency_target"))
        text = _cleaned(data.get("text"))
        if text is None:
            wrong["text"] = [Text("Say what result this RHK is.")]
        if kind == RhkKind.ADDITIONAL and (parent_id is not None or target is not None):
            wrong["kind"] = [
                Text("An additional RHK cites nothing: drop its cited RHK and agency target.")
            ]
        elif parent_id is not None and target is not None:
            wrong["agency_target"] = [
                Text("A main RHK supports either the assessor's RHK or an agency target.")
            ]
        elif target is not None and not head:
            wrong["agency_target"] = [
                Text(
                    "Only the agency head's plan serves the agency's targets directly; cite "
                    "an RHK of your assessor's agreed plan."
                )
            ]
        elif parent_id is not None and not _citable(session, parent_id, assessor_id, year):
            wrong["parent_id"] = [
                Text(
                    "No RHK %(id)s in the assessor's agreed plan for %(year)s.",
                    id=parent_id,
                    year=year,
                )
            ]
        indicators = []
        for at, given in enumerate(data.get("indicators", [])):
            said = {k: _cleaned(given.get(k)) for k in ("indicator", "target")}
            blank = [k for k, v in said.items() if v is None]
            if blank:
                wrong.setdefault("indicators", {})[at] = {
                    k: [Text("Must not be blank.")] for k in blank
                }
            indicators.append({"aspect": given["aspect"], **said})
        if wrong:
            errors[index] = wrong
            continue
        made.append(
            RhkItem(
                position=index,
                kind=str(kind),
                text=text,
                parent_id=parent_id,
                agency_target=target,
                indicators=indicators,
            )
        )
    if errors:
        raise InvalidPayload("the plan's RHK are not right", {"items": errors})
    return made


def replace(plan: SkpPlan, items: list[RhkItem]) -> None:
    """Put ``items`` in the plan's place, row by row, and its digest: an RHK keeps its id
    while it keeps its place, so what names it (a link, an API client) still finds it."""
    kept = plan.items[: len(items)]
    for old, new in zip(kept, items, strict=False):
        for name in ("position", "kind", "text", "parent_id", "agency_target", "indicators"):
            setattr(old, name, getattr(new, name))
    plan.items[len(items) :] = []
    plan.items.extend(items[len(kept) :])
    settle(object_session(plan), plan)


def settle(session: Session, plan: SkpPlan) -> None:
    """The plan's digest, once its RHK rows have their ids (new ones are written first)."""
    new = [item for item in plan.items if item.id is None]
    if session is not None and new:
        # Only the new rows: the plan's own UPDATE goes with its audit entry, as one.
        session.flush(new)
    plan.rhk_digest = rhk_digest(plan.items)


def as_dicts(plan: SkpPlan) -> dict:
    """The plan's RHK as an answer carries them (a retried request gets them too)."""
    return {
        "items": [
            {"id": item.id, "position": item.position}
            | {name: getattr(item, name) for name in DIGESTED if name != "id"}
            for item in plan.items
        ]
    }


def cascade_problems(session: Session, plan: SkpPlan) -> dict[int, list]:
    """What keeps ``plan`` from being submitted or agreed, per RHK (by position); key -1:
    the plan as a whole."""
    problems: dict[int, list] = {}
    head = is_agency_head(plan.employee)
    mains = [item for item in plan.items if item.kind == RhkKind.MAIN]
    if not mains:
        problems[-1] = [Text("A plan needs at least one main RHK (RHK utama).")]
    for item in plan.items:
        found = []
        if item.kind == RhkKind.MAIN:
            if item.parent_id is not None:
                if not _citable(session, item.parent_id, plan.assessor_id, plan.year):
                    found.append(
                        Text(
                            "It cites an RHK that is not in the assessor's agreed plan for "
                            "%(year)s.",
                            year=plan.year,
                        )
                    )
            elif item.agency_target is None or not head:
                found.append(
                    Text("It names no agency target that it serves.")
                    if head
                    else Text(
                        "It cites no RHK of the assessor's agreed plan for %(year)s.",
                        year=plan.year,
                    )
                )
        indicators = item.indicators if isinstance(item.indicators, list) else []
        if not any(isinstance(i, dict) and i.get("target") for i in indicators):
            found.append(Text("It has no indicator with a target."))
        if found:
            problems[item.position] = found
    return problems


def check_cascade(ctx) -> None:
    """Guard of submitting and agreeing a plan: every main RHK cascades, each RHK measures."""
    problems = cascade_problems(ctx.session, ctx.record)
    if problems:
        errors = {
            ("items" if position < 0 else f"items.{position}"): texts
            for position, texts in sorted(problems.items())
        }
        raise InvalidPayload(
            "the plan cannot go on: each main RHK must support an RHK of the assessor's "
            "agreed plan (the agency head's: an agency target), and each RHK needs an "
            "indicator with a target",
            errors,
        )
