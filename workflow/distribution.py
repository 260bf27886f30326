"""The distribution of predicates in an agency for a period (PermenPANRB 6/2022).

Counts the approved appraisals of an agency for a year and period by
predicate, with each share of the total, in the matrix's order, and sets it
beside the distribution the regulation expects for the organisation's own
rating (*predikat kinerja organisasi*): an organisation rated "Baik" is
expected to have mostly "Baik" employees and some who need improvement, one
rated "Kurang" mostly "Kurang/Misconduct", and so on.

The guidance is versioned data like the predicate matrix: a new regulation
is a new entry in ``GUIDANCE``. Its figures are the *pola distribusi* of the
regulation's annex, as the Ministry's circulars explain them; check them
against the official text when the regulation changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import changes, policy
from workflow.db import insert_once, utcnow, write_transaction
from workflow.errors import Forbidden, InvalidPayload, NotFound, Text
from workflow.models.accounts import User
from workflow.models.org import Agency
from workflow.models.ratings import OrganisationPredicate, OrganisationRating
from workflow.models.records import Appraisal
from workflow.policy import Action
from workflow.predicate import Predicate
from workflow.workflows.appraisal import PERIOD_PATTERN


@dataclass(frozen=True)
class Share:
    predicate: str
    count: int
    share: float  # of the approved appraisals, 0..1


@dataclass(frozen=True)
class Bound:
    """What the guidance expects of the employees with one of ``predicates``."""

    predicates: tuple[Predicate, ...]
    min_share: float = 0.0
    max_share: float = 1.0
    someone: bool = False  # "harus ada": at least one employee
    largest: bool = False  # "sebagian besar": the largest group

    def describe(self) -> str:
        parts = []
        if self.largest:
            parts.append("the largest group")
        if self.min_share > 0:
            parts.append(f"at least {self.min_share:.0%}")
        if self.max_share < 1:
            parts.append(f"at most {self.max_share:.0%}" if self.max_share else "none")
        if self.someone:
            parts.append("at least one employee")
        return f"{' or '.join(p.value for p in self.predicates)}: {', '.join(parts)}"


SB, B, BP, K, SK = (
    Predicate.SANGAT_BAIK,
    Predicate.BAIK,
    Predicate.BUTUH_PERBAIKAN,
    Predicate.KURANG,
    Predicate.SANGAT_KURANG,
)
ORG = OrganisationPredicate

# organisation's rating -> what the employees' predicates should look like
GUIDANCE: dict[str, dict[OrganisationPredicate, tuple[Bound, ...]]] = {
    "permenpanrb-6-2022": {
        ORG.ISTIMEWA: (Bound((SB,), max_share=0.70, largest=True),),
        ORG.BAIK: (Bound((B,), max_share=0.70, largest=True), Bound((BP, K), someone=True)),
        ORG.BUTUH_PERBAIKAN: (Bound((BP,), min_share=0.60), Bound((SB,), max_share=0.10)),
        ORG.KURANG: (
            Bound((K,), min_share=0.60),
            Bound((BP,), min_share=0.10),
            Bound((SB,), max_share=0.10),
        ),
        ORG.SANGAT_KURANG: (
            Bound((SK,), min_share=0.60),
            Bound((K, BP), min_share=0.10),
            Bound((SB,), max_share=0.0),
        ),
    }
}
CURRENT_GUIDANCE = "permenpanrb-6-2022"


@dataclass(frozen=True)
class Finding:
    bound: Bound
    count: int
    share: float
    met: bool | None  # None: no approved appraisal to judge

    @property
    def text(self) -> str:
        return self.bound.describe()


@dataclass(frozen=True)
class Report:
    agency_id: int
    year: int
    period: str
    total: int
    shares: list[Share]
    rating: str | None  # the organisation's, if set
    guidance: str | None  # the rule the findings come from
    findings: list[Finding] = field(default_factory=list)
    note: str | None = None  # the basis recorded with the rating

    @property
    def meets_guidance(self) -> bool | None:
        """True or False once rated and appraised; None while either is missing."""
        judged = [f.met for f in self.findings if f.met is not None]
        return all(judged) if judged else None


def distribution(session: Session, *, agency_id: int, year: int, period: str) -> list[Share]:
    """One row per predicate (all five, zeros included), in the regulation's order."""
    rows = dict(
        session.execute(
            select(Appraisal.predicate, func.count())
            .where(
                Appraisal.agency_id == agency_id,
                Appraisal.year == year,
                Appraisal.period == period,
                Appraisal.state == "approved",
            )
            .group_by(Appraisal.predicate)
        ).all()
    )
    total = sum(rows.values())
    return [
        Share(p.value, rows.get(p.value, 0), rows.get(p.value, 0) / total if total else 0.0)
        for p in Predicate
    ]


def check(shares: Sequence[Share], rating: str, rule: str = CURRENT_GUIDANCE) -> list[Finding]:
    """How ``shares`` compare with the guidance for an organisation rated ``rating``."""
    by_predicate = {s.predicate: s for s in shares}
    total = sum(s.count for s in shares)
    findings = []
    for bound in GUIDANCE[rule][OrganisationPredicate(rating)]:
        count = sum(by_predicate[p.value].count for p in bound.predicates)
        share = count / total if total else 0.0
        met = None
        if total:
            # a share is compared as the whole counts give it, without rounding
            met = bound.min_share * total <= count <= bound.max_share * total
            if bound.someone:
                met = met and count > 0
            if bound.largest:
                met = met and all(
                    s.count <= count for s in shares if s.predicate not in bound.predicates
                )
        findings.append(Finding(bound, count, share, met))
    return findings


def report(session: Session, *, agency_id: int, year: int, period: str) -> Report:
    """The shares of an agency's period beside the guidance for its own rating."""
    shares = distribution(session, agency_id=agency_id, year=year, period=period)
    rated = rating_of(session, agency_id=agency_id, year=year, period=period)
    total = sum(s.count for s in shares)
    if rated is None:
        return Report(agency_id, year, period, total, shares, None, None)
    return Report(
        agency_id,
        year,
        period,
        total,
        shares,
        rated.rating,
        CURRENT_GUIDANCE,
        check(shares, rated.rating),
        note=rated.note,
    )


def rating_of(
    session: Session, *, agency_id: int, year: int, period: str, lock: bool = False
) -> OrganisationRating | None:
    """The organisation's rating recorded for a period, if any."""
    stmt = select(OrganisationRating).where(
        OrganisationRating.agency_id == agency_id,
        OrganisationRating.year == year,
        OrganisationRating.period == period,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def set_rating(
    session: Session,
    actor: User | None,
    *,
    agency_id: int,
    year: int,
    period: str,
    rating: str,
    note: str | None = None,
    via: str = "api",
) -> OrganisationRating:
    """Record the organisation's rating for a period (replacing an earlier one).

    Admins, or the agency's own HR officers; in its own transaction.
    """
    errors = {}
    if rating not in {r.value for r in OrganisationPredicate}:
        errors["rating"] = [Text("One of: %(codes)s.", codes=tuple(OrganisationPredicate))]
    if not PERIOD_PATTERN.match(period or ""):
        errors["period"] = ["annual, Q1..Q4 or M01..M12."]
    if not 2000 <= year <= 2100:
        errors["year"] = ["Between 2000 and 2100."]
    if note is not None and "\x00" in note:
        errors["note"] = ["Must not contain NUL characters."]
    if errors:
        raise InvalidPayload("invalid organisation rating", errors)
    with write_transaction(session):
        if session.get(Agency, agency_id) is None:
            raise NotFound("no agency %(id)s", {"id": agency_id})
        if actor is not None and not policy.may(
            actor, Action.CREATE, OrganisationRating(agency_id=agency_id)
        ):
            raise Forbidden("an agency's rating is recorded by its HR officers or an admin")
        earlier = rating_of(session, agency_id=agency_id, year=year, period=period)
        before = None if earlier is None else changes.snapshot(earlier)
        values = {
            "agency_id": agency_id,
            "year": year,
            "period": period,
            "rating": rating,
            "note": note,
            "set_by_id": actor.id if actor else None,
            "set_at": utcnow(),
        }
        new_id = insert_once(
            session, OrganisationRating, values, unique=["agency_id", "year", "period"]
        )
        row = rating_of(session, agency_id=agency_id, year=year, period=period, lock=True)
        if new_id is None:
            row.rating, row.note = rating, note
            row.set_by_id, row.set_at = values["set_by_id"], values["set_at"]
        action = "create" if before is None else "update"
        changes.record(session, actor, row, action, before, changes.snapshot(row), via=via)
    return row
