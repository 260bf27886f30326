"""SKP plans from a spreadsheet (CSV): for agencies moving from spreadsheets to Alur.

One row per indicator: ``nip, year, rhk_no, kind, rhk, parent_no, agency_target, aspect,
indicator, target``; the rows of one ``(nip, year, rhk_no)`` make one RHK, those of one
``(nip, year)`` one plan. ``parent_no`` is the number of the RHK of the assessor's
*agreed* plan for the year that this one supports (blank: chosen later, on the RHK page).

As the employee import does, every row is checked before anything is written, each bad
one with its line and reason; by default one bad row and nothing is written. The plans
are then written through the engine (``create``, or ``edit`` of a plan still a draft or
returned), each with its audit entry. Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import engine, plans, policy
from workflow.db import local_today
from workflow.errors import InvalidPayload, WorkflowError
from workflow.models import Aspect, Employee, RhkKind, SkpPlan, User
from workflow.nip import InvalidNIP, nip_value
from workflow.workflows.skp_plan import MAX_INDICATORS, MAX_RHK

COLUMNS = (
    "nip",
    "year",
    "rhk_no",
    "kind",
    "rhk",
    "parent_no",
    "agency_target",
    "aspect",
    "indicator",
    "target",
)
LENGTHS = {"rhk": 2000, "agency_target": 2000, "indicator": 500, "target": 200}
MAX_ROWS = 100_000
SAMPLE = 50


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class Result:
    """What an import did: rows read, plans made and changed, and the bad rows."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False


class BadFile(InvalidPayload):
    """The file cannot be read as a plan import at all (no header, wrong columns)."""


def _int(value: str, low: int, high: int) -> int | None:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _form(row: dict) -> str | None:
    """What is wrong with one row on its own, or None."""
    if any("\x00" in (v or "") for v in row.values()):
        return "a value holds a NUL character"
    try:
        row["nip"] = nip_value(row["nip"].strip(), today=local_today())
    except InvalidNIP as exc:
        return f"nip: {exc}"
    if _int(row["year"], 2000, 2100) is None:
        return "year: a year from 2000 to 2100"
    if _int(row["rhk_no"], 1, MAX_RHK) is None:
        return f"rhk_no: a number from 1 to {MAX_RHK}"
    if (row["kind"] or "utama").strip() not in {k.value for k in RhkKind}:
        return "kind: utama or tambahan"
    if row["parent_no"].strip() and _int(row["parent_no"], 1, MAX_RHK) is None:
        return f"parent_no: blank, or a number from 1 to {MAX_RHK}"
    if row["aspect"].strip() not in {a.value for a in Aspect}:
        return "aspect: kuantitas, kualitas, waktu or biaya"
    for name in ("rhk", "indicator", "target"):
        if not row[name].strip():
            return f"{name}: required"
    for name, limit in LENGTHS.items():
        if len(row[name]) > limit:
            return f"{name}: at most {limit} characters"
    return None


def _read(lines: Iterable[str], result: Result, spoilt: set) -> dict:
    """The file's plans: {(nip, year): {rhk_no: spec}}, rows checked on their own;
    ``spoilt`` gets the plans with a bad row (none of them is written in part)."""
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if sorted(header) != sorted(COLUMNS):
        raise BadFile(
            "the header must be: %(columns)s",
            {"_schema": ["Wrong header."]},
            {"columns": ",".join(COLUMNS)},
        )
    reader.fieldnames = header
    found: dict = {}
    for row in reader:
        result.read += 1
        line = reader.line_num
        if result.read > MAX_ROWS:
            raise BadFile(
                "a file holds at most %(n)s rows", {"_schema": ["Too many rows."]}, {"n": MAX_ROWS}
            )
        row = {k: (v or "") for k, v in row.items() if k is not None}
        if None in row or len(row) != len(COLUMNS):
            result.rejected.append(Rejected(line, "the row has more or fewer columns"))
            continue
        reason = _form(row)
        if reason is not None:
            result.rejected.append(Rejected(line, reason))
            year = _int(row["year"], 2000, 2100)
            spoilt.add((row["nip"].replace(" ", ""), year))
            continue
        key = (row["nip"].strip(), int(row["year"]))
        number = int(row["rhk_no"])
        spec = found.setdefault(key, {}).get(number)
        own = (
            (row["kind"] or "utama").strip(),
            row["rhk"].strip(),
            row["parent_no"].strip(),
            row["agency_target"].strip(),
        )
        if spec is None:
            spec = {"own": own, "indicators": [], "line": line}
            found[key][number] = spec
        elif spec["own"] != own:
            result.rejected.append(
                Rejected(line, f"RHK {number} is said otherwise on line {spec['line']}")
            )
            spoilt.add(key)
            continue
        if len(spec["indicators"]) >= MAX_INDICATORS:
            result.rejected.append(Rejected(line, f"at most {MAX_INDICATORS} indicators an RHK"))
            spoilt.add(key)
            continue
        spec["indicators"].append(
            {
                "aspect": row["aspect"].strip(),
                "indicator": row["indicator"].strip(),
                "target": row["target"].strip(),
            }
        )
    return found


def _items(session, plan_key, specs: dict, employee: Employee, assessor_id) -> list[dict]:
    """The RHK as the engine takes them; ``parent_no`` read in the assessor's agreed plan."""
    _nip, year = plan_key
    agreed = plans.agreed_rhk(session, assessor_id, year)
    items = []
    for number in sorted(specs):
        kind, text, parent_no, target = specs[number]["own"]
        item = {"kind": kind, "text": text, "indicators": specs[number]["indicators"]}
        if parent_no:
            position = int(parent_no) - 1
            if position >= len(agreed):
                raise _Bad(
                    specs[number]["line"],
                    f"the assessor's agreed plan for {year} has no RHK {parent_no}",
                )
            item["parent_id"] = agreed[position].id
        if target:
            item["agency_target"] = target
        items.append(item)
    if [n for n in sorted(specs)] != list(range(1, len(specs) + 1)):
        raise _Bad(min(s["line"] for s in specs.values()), "rhk_no must run 1, 2, 3 … without gaps")
    return items


class _Bad(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


def _same(plan: SkpPlan, items: list[dict]) -> bool:
    now = [(i.kind, i.text, i.parent_id, i.agency_target, i.indicators) for i in plan.items]
    new = [
        (i["kind"], i["text"], i.get("parent_id"), i.get("agency_target"), i["indicators"])
        for i in items
    ]
    return now == new


def import_plans(
    session: Session, actor: User | None, lines: Iterable[str], *, via: str, skip_bad: bool = False
) -> Result:
    """Check every row, then write the plans through the engine (see the module's note)."""
    result = Result()
    spoilt: set = set()
    found = _read(lines, result, spoilt)
    work = []
    for key, specs in found.items():
        lines_of = [s["line"] for s in specs.values()]
        try:
            if key in spoilt:
                raise _Bad(min(lines_of), "another row of this plan is bad: the plan is left out")
            employee = session.scalar(select(Employee).where(Employee.nip == key[0]))
            if employee is None or (actor is not None and not policy.can_see(actor, employee)):
                raise _Bad(min(lines_of), f"no employee with NIP {key[0]} you may see")
            plan = session.scalar(
                select(SkpPlan).where(
                    SkpPlan.employee_id == employee.id,
                    SkpPlan.year == key[1],
                    SkpPlan.state != "withdrawn",
                )
            )
            if plan is not None and plan.state not in ("draft", "returned"):
                raise _Bad(
                    min(lines_of),
                    f"the plan of {key[0]} for {key[1]} is {plan.state}: it is not changed",
                )
            assessor_id = plan.assessor_id if plan is not None else employee.supervisor_id
            items = _items(session, key, specs, employee, assessor_id)
            # The engine's own check of the RHK, before anything is written.
            plans.rows(session, employee, assessor_id, key[1], items)
        except _Bad as bad:
            result.rejected.append(Rejected(bad.line, bad.reason))
            continue
        except InvalidPayload as refused:
            result.rejected.append(Rejected(min(lines_of), refused.explained()))
            continue
        work.append((key, employee.id, plan.id if plan is not None else None, items))
    session.rollback()
    result.rejected.sort(key=lambda r: r.line)
    if result.rejected and not skip_bad:
        return result
    for (nip, year), employee_id, plan_id, items in work:
        try:
            if plan_id is None:
                engine.create(
                    session,
                    "skp_plan",
                    actor,
                    {"employee_id": employee_id, "year": year, "items": items},
                    via=via,
                    comment="imported from a spreadsheet",
                )
                result.created += 1
                continue
            plan = session.get(SkpPlan, plan_id)
            if _same(plan, items):
                result.unchanged += 1
                continue
            engine.edit(plan, actor, {"items": items}, via=via, comment="imported again")
            result.updated += 1
        except WorkflowError as refused:
            session.rollback()
            result.rejected.append(Rejected(0, f"{nip} {year}: {refused.explained()}"))
    result.applied = True
    return result
