"""The follow-up of an approved appraisal (PP 11/2017 art. 163, 172: development is planned
from the appraisal; PermenPANRB 6/2022: rewards for high performers, guidance for the others).

At approval the system records, once per kind, what the predicate calls for:

* ``Sangat Baik``: a reward recommendation;
* ``Butuh Perbaikan``, ``Kurang/Misconduct``, ``Sangat Kurang``: a draft training
  nomination (for the program named by ``FOLLOW_UP_PROGRAM_CODE``) and a draft
  mentoring by the assessor, both created by the system and audited ``via=system``.

A draft that cannot be made (no program configured, an open nomination already,
an assessor who is not senior enough to mentor) leaves the follow-up with a note
instead, for HR to plan by hand; the approval itself never fails for it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select

from workflow.db import among, local_today
from workflow.definition import BATCH_RECORDS, ByRule
from workflow.models.followups import FollowUp, FollowUpKind
from workflow.models.programs import TrainingProgram
from workflow.predicate import Predicate
from workflow.settings import rules

K = FollowUpKind
WHAT_FOLLOWS: dict[Predicate, tuple[FollowUpKind, ...]] = {
    Predicate.SANGAT_BAIK: (K.REWARD,),
    Predicate.BAIK: (),
    Predicate.BUTUH_PERBAIKAN: (K.TRAINING, K.MENTORING),
    Predicate.KURANG: (K.TRAINING, K.MENTORING),
    Predicate.SANGAT_KURANG: (K.TRAINING, K.MENTORING),
}
MENTORING_WEEKS = 13  # a quarter of guidance
# What ``_read`` reads for a batch: the kinds each record has, and the program.
DONE, PROGRAM = "follow_up_kinds", "follow_up_program"
FOLLOW_UPS = FollowUp.__table__


def plan(ctx) -> None:
    """Effect of approving (or revising on appeal) an appraisal: its follow-ups, once each."""
    session, record = ctx.session, ctx.record
    kinds = WHAT_FOLLOWS[Predicate(record.predicate)] if record.predicate else ()
    if not kinds:
        return  # most approvals ("Baik"): nothing follows, and nothing is asked of the database
    if DONE not in ctx.batch:  # the batch's first to ask (a step taken alone: a batch of one)
        ctx.batch.update(_read(session, ctx.batch.get(BATCH_RECORDS) or [record]))
    done = ctx.batch[DONE][record.id]
    for kind in kinds:
        if kind.value in done:
            continue  # a replayed approval, or a revision: never twice
        follow_up = {
            "appraisal_id": record.id,
            "employee_id": record.employee_id,
            "agency_id": record.agency_id,
            "kind": kind.value,
            "predicate": record.predicate,
            "nomination_id": None,
            "mentoring_id": None,
            "note": None,
            "created_at": ctx.now,
        }
        # The drafts are made once the approval is written (in a bulk approval, those
        # of the whole batch together), and the follow-up after them, naming its draft.
        draft = DRAFTS.get(kind)
        wanted = draft(ctx, follow_up) if draft is not None else None
        if wanted is not None:
            ctx.creates.append(wanted)
        ctx.rows.append((FOLLOW_UPS, follow_up))


def _read(session, records: list) -> dict:
    """For a batch of approvals: the follow-ups each record has and the follow-up program,
    in two queries instead of two a record (``TransitionContext.batch``)."""
    done: dict[int, set[str]] = {record.id: set() for record in records}
    if not done:
        return {}
    code = rules().follow_up_program_code
    # In a batch, the records moved so far stay as they are until the batch writes them.
    with session.no_autoflush:
        rows = session.execute(
            select(FollowUp.appraisal_id, FollowUp.kind).where(
                among(session, FollowUp.appraisal_id, done)
            )
        )
        for appraisal_id, kind in rows:
            done[appraisal_id].add(kind)
        program = code and session.scalar(
            select(TrainingProgram).where(TrainingProgram.code == code)
        )
    return {DONE: done, PROGRAM: program}


def _why(record) -> str:
    return (
        f"Tindak lanjut penilaian kinerja {record.year} ({record.period}): "
        f"predikat {record.predicate}"
    )


def _drafted(follow_up: dict, column: str, unable: str, draft, error) -> None:
    """Link the draft to its follow-up, or note why there is none."""
    follow_up[column] = draft.id if draft is not None else None
    if error is not None:
        follow_up["note"] = f"{unable}: {error.message}"


def _draft_nomination(ctx, follow_up) -> ByRule | None:
    record = ctx.record
    program = ctx.batch[PROGRAM]
    if not program:
        follow_up["note"] = "no follow-up program is set (FOLLOW_UP_PROGRAM_CODE): choose one"
        return None
    data = {
        "employee_id": record.employee_id,
        "program_id": program.id,
        "justification": _why(record),
    }
    return ByRule(
        "training_nomination",
        data,
        _why(record),
        partial(_drafted, follow_up, "nomination_id", "no draft nomination"),
    )


def _draft_mentoring(ctx, follow_up) -> ByRule:
    record = ctx.record
    start = local_today() + timedelta(days=7)
    data = {
        "mentor_id": record.assessor_id,
        "mentee_id": record.employee_id,
        "goals": _why(record),
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(weeks=MENTORING_WEEKS)).isoformat(),
        "jp": rules().follow_up_mentoring_jp,
    }
    return ByRule(
        "mentoring_assignment",
        data,
        _why(record),
        partial(_drafted, follow_up, "mentoring_id", "no draft mentoring by the assessor"),
    )


DRAFTS = {K.TRAINING: _draft_nomination, K.MENTORING: _draft_mentoring}
