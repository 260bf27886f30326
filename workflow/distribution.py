"""The distribution of predicates in an agency for a period (PermenPANRB 6/2022).

Counts the approved appraisals of an agency for a year and period by
predicate, with each share of the total, in the matrix's order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models.records import Appraisal
from workflow.predicate import Predicate


@dataclass(frozen=True)
class Share:
    predicate: str
    count: int
    share: float  # of the approved appraisals, 0..1


def distribution(session: Session, *, agency_id: int, year: int, period: str) -> list[Share]:
    """One row per predicate (all five, zeros included), in the regulation's order."""
    rows = dict(
        session.execute(
            select(Appraisal.predicate, func.count())
            .where(Appraisal.agency_id == agency_id, Appraisal.year == year,
                   Appraisal.period == period, Appraisal.state == "approved")
            .group_by(Appraisal.predicate)
        ).all()
    )  # fmt: skip
    total = sum(rows.values())
    return [
        Share(p.value, rows.get(p.value, 0), rows.get(p.value, 0) / total if total else 0.0)
        for p in Predicate
    ]
