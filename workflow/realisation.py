"""An agreed plan through its year: each RHK's realisation per period, with evidence
(*bukti dukung*: files or links), and the assessor's continuous feedback.

PermenPANRB 6/2022: performance is documented as the year goes, and the assessor gives
feedback on it throughout; the periodic and annual evaluations rate against them. Each
command here checks its input and the policy, runs in one transaction and writes its
change-log entry (``workflow.changes``); an evidence file's SHA-256 is in that entry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import changes, evidence_store, policy
from workflow.db import local_today, utcnow
from workflow.errors import Conflict, InvalidPayload, NotFound, Text, term
from workflow.models import (
    Evidence,
    OutboxEvent,
    PlanFeedback,
    Realisation,
    RhkItem,
    SkpPlan,
    User,
)
from workflow.models.base import PERIODS
from workflow.predicate import CoreValue

AGREED = "approved"
MAX_VALUE = 500
MAX_TEXT = 4000
MAX_NOTE = 2000
MAX_URL = 2000
MAX_EVIDENCE = 20  # pieces of evidence per realisation
# What a file is, read from its first bytes (never from its name): PDF and images only.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_URL = re.compile(r"\Ahttps?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)


def _text(value, field: str, limit: int, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidPayload(
                "%(field)s is required",
                {field: [Text("Required.")]},
                {"field": term("field", field)},
            )
        return None
    if not isinstance(value, str):
        raise InvalidPayload(
            "invalid %(field)s", {field: [Text("Must be text.")]}, {"field": term("field", field)}
        )
    value = value.strip()
    if "\x00" in value:
        raise InvalidPayload(
            "invalid %(field)s",
            {field: [Text("Must not contain NUL characters.")]},
            {"field": term("field", field)},
        )
    if len(value) > limit:
        raise InvalidPayload(
            "invalid %(field)s",
            {field: [Text("At most %(n)s characters.", n=limit)]},
            {"field": term("field", field)},
        )
    return value


def _visible_plan(session: Session, actor, plan: SkpPlan | None, ident) -> SkpPlan:
    if plan is None or (actor is not None and not policy.can_see(actor, plan)):
        raise NotFound("no SKP plan %(id)s", {"id": ident})
    return plan


def _agreed(plan: SkpPlan) -> None:
    if plan.state != AGREED:
        raise Conflict(
            "the plan is %(state)s: its RHK are realised, and feedback given, once it is agreed",
            {"state": term("state", plan.state)},
        )


def _rhk(session: Session, actor, rhk_id) -> RhkItem:
    item = session.get(RhkItem, rhk_id) if isinstance(rhk_id, int) else None
    if item is None or (actor is not None and not policy.can_see(actor, item.plan)):
        raise NotFound("no RHK %(id)s", {"id": rhk_id})
    return item


def record(
    session: Session,
    actor: User | None,
    rhk_id: int,
    period: str,
    *,
    value,
    narrative=None,
    via: str,
    also: list | None = None,
) -> Realisation:
    """Set what RHK ``rhk_id`` achieved in ``period`` (annual, Q1..Q4, M01..M12) of its
    agreed plan: the employee, the agency's HR, admins or an external system (e-Kinerja).
    Recording the same period again changes it."""
    if period not in PERIODS:
        raise InvalidPayload(
            "invalid period", {"period": [Text("One of: %(codes)s.", codes=PERIODS)]}
        )
    value = _text(value, "value", MAX_VALUE, required=True)
    narrative = _text(narrative, "narrative", MAX_TEXT, required=False)
    item = _rhk(session, actor, rhk_id)
    plan = item.plan
    _agreed(plan)
    row = session.scalar(
        select(Realisation).where(Realisation.rhk_id == item.id, Realisation.period == period)
    )
    if row is None:
        row = Realisation(plan=plan, agency_id=plan.agency_id, rhk=item, period=period)
    values = {
        "value": value,
        "narrative": narrative,
        "updated_at": utcnow(),
        "updated_by_id": actor.id if actor is not None else None,
    }
    return changes.save(
        session,
        actor,
        row,
        values,
        via=via,
        also=also,
        then=_told("realisation.recorded", actor, via),
    )


# What subscribers learn of the year's work (``workflow.outbox`` delivers it).
EVENTS = ("realisation.recorded", "evidence.attached")


def _told(kind: str, actor, via: str):
    """The outbox event of a realisation recorded or evidence attached, made once the row has
    its id, in its transaction."""

    def events(row) -> list[OutboxEvent]:
        now = utcnow()
        if isinstance(row, Realisation):
            payload = {
                "id": row.id,
                "plan_id": row.plan_id,
                "rhk_id": row.rhk_id,
                "period": row.period,
                "value": row.value,
            }
        else:
            payload = {
                "id": row.id,
                "realisation_id": row.realisation_id,
                "plan_id": row.realisation.plan_id,
                "kind": row.kind,
                "sha256": row.sha256,
            }
        payload |= {
            "agency_id": row.agency_id,
            "actor": actor.id if actor is not None else None,
            "via": via,
            "at": now.isoformat(),
        }
        return [
            OutboxEvent(
                event_id=f"evt_{uuid.uuid4().hex}", type=kind, created_at=now, payload=payload
            )
        ]

    return events


def realisations(session: Session, plan: SkpPlan) -> list[Realisation]:
    """The plan's realisations, by RHK and period."""
    return list(
        session.scalars(
            select(Realisation)
            .join(RhkItem, RhkItem.id == Realisation.rhk_id)
            .where(Realisation.plan_id == plan.id)
            .order_by(RhkItem.position, Realisation.period)
        )
    )


def get_realisation(session: Session, actor, realisation_id) -> Realisation:
    row = session.get(Realisation, realisation_id) if isinstance(realisation_id, int) else None
    if row is None or (actor is not None and not policy.can_see(actor, row)):
        raise NotFound("no realisation %(id)s", {"id": realisation_id})
    return row


def kind_of(data: bytes) -> str | None:
    """The file's type from its content (PDF, PNG or JPEG), or None."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def clean_name(name) -> str:
    """A file's name as given, without its folders or control characters, at most 255."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:255] or "bukti"


def _room(session: Session, realisation: Realisation) -> None:
    if len(realisation.evidence) >= MAX_EVIDENCE:
        raise Conflict("a realisation takes at most %(n)s pieces of evidence", {"n": MAX_EVIDENCE})


def attach_file(
    session: Session,
    actor: User | None,
    realisation_id: int,
    *,
    name,
    data: bytes,
    via: str,
    also: list | None = None,
) -> Evidence:
    """Attach a file (PDF, PNG or JPEG, by its content; at most the store's limit) to a
    realisation: kept in the evidence store by its SHA-256, which the change log keeps."""
    realisation = get_realisation(session, actor, realisation_id)
    _agreed(realisation.plan)
    if actor is not None:
        policy.check(actor, policy.Action.CHANGE, realisation)
    limit = evidence_store.MAX_BYTES
    if not data:
        raise InvalidPayload("the file is empty", {"file": [Text("The file is empty.")]})
    if len(data) > limit:
        raise InvalidPayload(
            "the file is too large",
            {"file": [Text("At most %(n)s KiB.", n=limit // 1024)]},
        )
    content_type = kind_of(data)
    if content_type is None:
        raise InvalidPayload(
            "the file is not a PDF or an image",
            {"file": [Text("Only PDF, PNG or JPEG files are taken; this one is none of them.")]},
        )
    _room(session, realisation)
    digest = hashlib.sha256(data).hexdigest()
    session.rollback()  # nothing of ours is held while the file travels to the store
    evidence_store.store().put(digest, data, content_type)
    realisation = get_realisation(session, actor, realisation_id)
    return _attach(
        session,
        actor,
        realisation,
        via,
        also,
        kind="file",
        file_name=clean_name(name),
        content_type=content_type,
        size=len(data),
        sha256=digest,
    )


def attach_link(
    session: Session,
    actor: User | None,
    realisation_id: int,
    *,
    url,
    via: str,
    also: list | None = None,
) -> Evidence:
    """Attach a link (http or https) to a realisation as its evidence."""
    url = _text(url, "url", MAX_URL, required=True)
    if not _URL.match(url):
        raise InvalidPayload("invalid link", {"url": [Text("An http:// or https:// address.")]})
    realisation = get_realisation(session, actor, realisation_id)
    _agreed(realisation.plan)
    if actor is not None:
        policy.check(actor, policy.Action.CHANGE, realisation)
    _room(session, realisation)
    return _attach(session, actor, realisation, via, also, kind="link", url=url)


def _attach(session: Session, actor, realisation: Realisation, via, also, **fields) -> Evidence:
    """Write a piece of evidence of ``realisation``: checked by the policy, logged, its
    event written, all in one transaction."""

    def build() -> Evidence:
        row = Evidence(
            agency_id=realisation.agency_id,
            created_at=utcnow(),
            created_by_id=actor.id if actor is not None else None,
            **fields,
        )
        row.realisation = realisation
        session.add(row)
        return row

    return changes.make(
        session, actor, build, via=via, also=also, then=_told("evidence.attached", actor, via)
    )


def read_file(session: Session, actor: User | None, evidence_id) -> tuple[Evidence, bytes]:
    """An evidence file and its bytes, for whoever may see its plan; refused if the store's
    copy is not the file whose hash was recorded (changed or lost outside Alur)."""
    row = session.get(Evidence, evidence_id) if isinstance(evidence_id, int) else None
    if row is None or (actor is not None and not policy.can_see(actor, row)):
        raise NotFound("no evidence %(id)s", {"id": evidence_id})
    if row.kind != "file":
        raise NotFound("no evidence file %(id)s", {"id": evidence_id})
    try:
        data = evidence_store.store().get(row.sha256)
    except evidence_store.Missing:
        raise Conflict("the evidence file is missing from the store") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise Conflict("the stored evidence file is not the one recorded: changed outside Alur")
    return row, data


def give_feedback(
    session: Session,
    actor: User | None,
    plan_id: int,
    *,
    note,
    rhk_id=None,
    core_value=None,
    given_on: date | None = None,
    via: str,
) -> PlanFeedback:
    """The assessor's dated note on one RHK or one BerAKHLAK value of an agreed plan."""
    plan = _visible_plan(
        session, actor, session.get(SkpPlan, plan_id) if isinstance(plan_id, int) else None, plan_id
    )
    note = _text(note, "note", MAX_NOTE, required=True)
    if (rhk_id is None) == (core_value is None):
        raise InvalidPayload(
            "feedback is on one RHK or one BerAKHLAK value",
            {"rhk_id": [Text("Name one RHK or one BerAKHLAK value, not both.")]},
        )
    if rhk_id is not None:
        item = session.get(RhkItem, rhk_id) if isinstance(rhk_id, int) else None
        if item is None or item.plan_id != plan.id:
            raise InvalidPayload(
                "no such RHK in this plan",
                {"rhk_id": [Text("No RHK %(id)s in this plan.", id=rhk_id)]},
            )
    if core_value is not None and core_value not in {v.value for v in CoreValue}:
        raise InvalidPayload(
            "unknown BerAKHLAK value",
            {"core_value": [Text("One of: %(codes)s.", codes=tuple(v.value for v in CoreValue))]},
        )
    today = local_today()
    given_on = given_on or today
    if not isinstance(given_on, date) or given_on > today or given_on.year < plan.year:
        raise InvalidPayload(
            "invalid date",
            {
                "given_on": [
                    Text("A day of %(year)s or after it, not after today.", year=str(plan.year))
                ]
            },
        )
    _agreed(plan)

    def build() -> PlanFeedback:
        row = PlanFeedback(
            plan_id=plan.id,
            agency_id=plan.agency_id,
            rhk_id=rhk_id,
            core_value=core_value,
            note=note,
            given_on=given_on,
            author_id=actor.id if actor is not None else None,
            created_at=utcnow(),
        )
        row.plan = plan
        session.add(row)
        return row

    return changes.make(session, actor, build, via=via)


def feedback(session: Session, plan: SkpPlan) -> list[PlanFeedback]:
    """The plan's feedback, oldest first."""
    return list(
        session.scalars(
            select(PlanFeedback)
            .where(PlanFeedback.plan_id == plan.id)
            .order_by(PlanFeedback.given_on, PlanFeedback.id)
        )
    )


@dataclass
class Basis:
    """What an appraisal rates against (PermenPANRB 6/2022): the employee's agreed plan for
    its year, each RHK with its realisations of the appraisal's period (all periods, for the
    year's), the assessor's feedback, and, for the year's, the periodic appraisals' results."""

    plan: SkpPlan | None
    rows: list[tuple[RhkItem, list[Realisation]]] = field(default_factory=list)
    feedback: list[PlanFeedback] = field(default_factory=list)
    periodic: list = field(default_factory=list)  # the year's periodic appraisals, in order


def basis(session: Session, appraisal) -> Basis:
    """The basis of ``appraisal`` (the caller has checked that its reader may see it)."""
    from workflow.models import Appraisal

    plan = session.scalar(
        select(SkpPlan).where(
            SkpPlan.employee_id == appraisal.employee_id,
            SkpPlan.year == appraisal.year,
            SkpPlan.state == AGREED,
        )
    )
    if plan is None:
        return Basis(None)
    query = select(Realisation).where(Realisation.plan_id == plan.id)
    if appraisal.period != "annual":
        query = query.where(Realisation.period == appraisal.period)
    found: dict[int, list[Realisation]] = {}
    for row in session.scalars(query.order_by(Realisation.period)):
        found.setdefault(row.rhk_id, []).append(row)
    periodic = []
    if appraisal.period == "annual":
        periodic = list(
            session.scalars(
                select(Appraisal)
                .where(
                    Appraisal.employee_id == appraisal.employee_id,
                    Appraisal.year == appraisal.year,
                    Appraisal.period != "annual",
                    Appraisal.state.in_(("approved", "appealed")),
                )
                .order_by(Appraisal.period)
            )
        )
    return Basis(
        plan,
        [(item, found.get(item.id, [])) for item in plan.items],
        feedback(session, plan),
        periodic,
    )
