"""The ASN rulebook: mentoring (PermenPANRB 6/2022) and the 20 JP right (PP 17/2020 art. 203)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import fire_many, new_record
from tests.http import signed
from tests.sql import sent
from tests.workflow_paths import COACHING, bring_to
from workflow import (
    Forbidden,
    InvalidPayload,
    TransitionNotAllowed,
    allowed_triggers,
    delegation,
    fire,
    inbox,
    jp,
    webhooks,
)
from workflow.db import local_today, write_transaction
from workflow.errors import Conflict
from workflow.models import (
    Appraisal,
    AuditEntry,
    Employee,
    FollowUp,
    JpLedgerEntry,
    MentoringAssignment,
    RoleName,
    TrainingNomination,
)
from workflow.settings import Rules, configure
from workflow.verification import verify as audit_verify
from workflow.visibility import visible_clause
from workflow.workflows import workflow_for

# -- mentoring: who may mentor whom --------------------------------------------------------


def _mentoring(session, cast, mentor, mentee=None, **extra):
    return new_record(
        session,
        cast,
        "mentoring_assignment",
        mentor_id=mentor.id,
        mentee_id=(mentee or cast.subject_employee).id,
        **extra,
    )


def test_the_mentor_must_be_of_a_higher_rank(session, cast):
    unit = factories.unit(session, cast.agency)
    junior = factories.employee(session, unit, rank="II/d", tmt_year=2010)
    session.commit()
    with pytest.raises(InvalidPayload, match="more senior"):
        _mentoring(session, cast, junior)


def test_at_the_same_rank_the_longer_serving_may_mentor(session, cast):
    unit = factories.unit(session, cast.agency)
    mentee = factories.employee(session, unit, rank="III/a", tmt_year=2018)
    older = factories.employee(session, unit, rank="III/a", tmt_year=2012)
    newer = factories.employee(session, unit, rank="III/a", tmt_year=2020)
    session.commit()
    assert _mentoring(session, cast, older, mentee).state == "draft"
    with pytest.raises(InvalidPayload, match="more senior"):
        _mentoring(session, cast, newer, mentee)


def test_nobody_mentors_themselves(session, cast):
    with pytest.raises(InvalidPayload, match="cannot be the mentee"):
        _mentoring(session, cast, cast.subject_employee)


def test_the_default_limit_of_active_mentees_is_five(app):
    assert Rules().max_active_mentees == 5
    assert configure({"MENTORING_MAX_ACTIVE_MENTEES": "7"}).max_active_mentees == 7
    configure(app.config)


def test_a_mentor_guides_at_most_the_configured_number_at_once(app, session, cast):
    configure({"MENTORING_MAX_ACTIVE_MENTEES": 2})
    try:
        unit = factories.unit(session, cast.agency)
        mentees = [factories.employee(session, unit, rank="II/a") for _ in range(3)]
        session.commit()
        mentor = cast.mentor.employee
        records = [bring_to(_mentoring(session, cast, mentor, m), "reviewed") for m in mentees]
        fire(records[0], "approve", cast.hr, via="api")
        fire(fire(records[1], "approve", cast.hr, via="api"), "start", cast.hr, via="api")
        with pytest.raises(Conflict, match="already guides 2 mentees"):
            fire(records[2], "approve", cast.hr, via="api")
        # One finishes: there is room again.
        fire(
            session.get(MentoringAssignment, records[1].id),
            "complete",
            cast.hr,
            via="api",
            payload=COACHING,
        )
        assert fire(records[2], "approve", cast.hr, via="api").state == "approved"
    finally:
        configure(app.config)


def test_completion_records_the_coaching_form_and_needs_it(session, cast):
    record = bring_to(_mentoring(session, cast, cast.mentor.employee), "active")
    with pytest.raises(InvalidPayload):
        fire(record, "complete", cast.hr, via="api")
    with pytest.raises(InvalidPayload):
        fire(
            record,
            "complete",
            cast.hr,
            via="api",
            payload={"coaching_feedback": "Baik", "competency_score": 6},
        )
    done = fire(record, "complete", cast.mentor, via="api", payload=COACHING)
    assert (done.coaching_feedback, done.competency_score) == ("Modul ajar tersusun", 4)


# -- the JP ledger -------------------------------------------------------------------------


def ledger(session, employee_id):
    session.rollback()
    return session.scalars(
        select(JpLedgerEntry).where(JpLedgerEntry.employee_id == employee_id)
    ).all()


def test_a_completed_training_credits_its_programs_jp_once(session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "completed")
    (entry,) = ledger(session, cast.subject_employee.id)
    assert (entry.jp, entry.year, entry.source, entry.source_id) == (
        cast.program.jp,
        2026,
        "training_nomination",
        record.id,
    )
    # Crediting the same record again (a replayed effect) adds nothing.
    assert not jp.credit(
        session,
        employee_id=cast.subject_employee.id,
        year=2026,
        jp=24,
        source="training_nomination",
        source_id=record.id,
    )
    session.commit()
    assert len(ledger(session, cast.subject_employee.id)) == 1


def test_a_completed_mentoring_credits_the_mentee(session, cast):
    record = bring_to(_mentoring(session, cast, cast.mentor.employee), "completed")
    (entry,) = ledger(session, cast.subject_employee.id)
    assert (entry.jp, entry.year, entry.source) == (record.jp, 2026, "mentoring_assignment")


def test_duplicate_completion_webhooks_credit_the_jp_exactly_once(app, session, cast, live_server):
    import httpx

    with write_transaction(session):
        client = webhooks.add_client(session, "lms", ["training_nomination.complete"])
    record = bring_to(new_record(session, cast, "training_nomination"), "approved")
    secret, record_id = client.secret, record.id
    session.commit()
    bodies = [
        json.dumps({"type": "training_nomination.complete", "data": {"id": record_id}}).encode()
        for _ in range(6)
    ]
    # Three repeats of one message, and three distinct messages about the same completion.
    ids = ["msg_same"] * 3 + [f"msg_{uuid.uuid4().hex}" for _ in range(3)]
    start, answers = threading.Barrier(6), []

    def send(body, msg_id):
        start.wait()
        answers.append(
            httpx.post(
                f"{live_server.url}/api/v1/webhooks/lms",
                content=body,
                headers=signed(secret, body, msg_id=msg_id),
                timeout=60,
            )
        )

    threads = [threading.Thread(target=send, args=pair) for pair in zip(bodies, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert {a.status_code for a in answers} <= {200, 409}  # 409: already completed
    outcomes = [a.json()["outcome"] for a in answers if a.status_code == 200]
    assert outcomes.count("accepted") == 1  # the others are repeats, or found it completed
    entries = ledger(session, cast.subject_employee.id)
    assert len(entries) == 1 and entries[0].jp == cast.program.jp


def test_the_report_lists_who_is_below_twenty_jp_with_totals_per_unit(session, cast):
    unit = factories.unit(session, cast.agency)
    people = [factories.employee(session, unit, name=f"Pegawai {i}") for i in range(3)]
    session.commit()
    assert jp.credit(
        session, employee_id=people[0].id, year=2026, jp=24, source="manual", source_id=1
    )
    jp.credit(session, employee_id=people[1].id, year=2026, jp=12, source="manual", source_id=2)
    jp.credit(session, employee_id=people[1].id, year=2025, jp=30, source="manual", source_id=3)
    session.commit()

    below = jp.below(session, year=2026, agency_id=cast.agency.id, unit_id=unit.id)
    assert [(b.employee_id, b.jp) for b in below] == [(people[1].id, 12), (people[2].id, 0)]
    (total,) = jp.totals(session, year=2026, agency_id=cast.agency.id, unit_id=unit.id)
    assert (total.employees, total.below, total.jp) == (3, 2, 36)
    whole = jp.totals(session, year=2026, agency_id=cast.agency.id)
    assert sum(t.employees for t in whole) == session.scalar(
        select(func.count()).select_from(Employee).where(Employee.agency_id == cast.agency.id)
    )
    page = jp.below(session, year=2026, agency_id=cast.agency.id, limit=2)
    rest = jp.below(session, year=2026, agency_id=cast.agency.id, after=page[-1].employee_id)
    assert len(page) == 2 and {b.employee_id for b in page}.isdisjoint(b.employee_id for b in rest)


def test_the_report_is_available_from_the_cli(cli, session, cast):
    result = cli("jp", "report", "--year", "2026", "--agency", cast.agency.code)
    assert result.exit_code == 0, result.output
    assert cast.subject_employee.nip in result.output
    assert "below 20 JP" in result.output
    assert cli("jp", "report", "--year", "2026", "--agency", "NOPE").exit_code == 2


def test_the_report_is_available_over_the_api_to_hr_and_admins(client, session, cast, bearer):
    url = f"/api/v1/jp-report?year=2026&agency_id={cast.agency.id}"
    answer = client.get(url, headers=bearer(cast.hr))
    assert answer.status_code == 200, answer.json
    assert answer.json["threshold"] == 20
    assert any(i["nip"] == cast.subject_employee.nip for i in answer.json["items"])
    assert sum(t["employees"] for t in answer.json["totals"]) >= 1
    assert client.get(url, headers=bearer(cast.hr_other)).status_code == 403
    assert client.get(url, headers=bearer(cast.subject)).status_code == 403
    assert client.get(url, headers=bearer(cast.admin)).status_code == 200


# -- appraisal follow-up (PP 11/2017; PermenPANRB 6/2022) ---------------------------------

RATED = {
    "Sangat Baik": ("di_atas_ekspektasi", "di_atas_ekspektasi"),
    "Baik": ("sesuai_ekspektasi", "sesuai_ekspektasi"),
    "Butuh Perbaikan": ("di_bawah_ekspektasi", "sesuai_ekspektasi"),
    "Kurang/Misconduct": ("sesuai_ekspektasi", "di_bawah_ekspektasi"),
    "Sangat Kurang": ("di_bawah_ekspektasi", "di_bawah_ekspektasi"),
}


def _ratings(predicate: str, feedback: str = "Catatan") -> dict:
    work, behaviour = RATED[predicate]
    named = {} if behaviour == "sesuai_ekspektasi" else {"behaviour_feedback": {"loyal": feedback}}
    return {
        "work_result_rating": work,
        "behaviour_rating": behaviour,
        "feedback": feedback,
        **named,
    }


def _approved(session, cast, predicate, **extra):
    record = bring_to(new_record(session, cast, "appraisal", **extra), "submitted")
    record = fire(record, "review", cast.supervisor, via="api", payload=_ratings(predicate))
    assert record.predicate == predicate
    return fire(record, "approve", cast.manager, via="api")


def _follow_ups(session, appraisal):
    session.rollback()
    return {
        f.kind: f
        for f in session.scalars(select(FollowUp).where(FollowUp.appraisal_id == appraisal.id))
    }


@pytest.fixture
def follow_up_program(app, session):
    program = factories.program(session, seats=50, cost=0)
    program.code = "PEMBINAAN-2026"
    session.commit()
    configure({**app.config, "FOLLOW_UP_PROGRAM_CODE": "PEMBINAAN-2026"})
    yield program
    configure(app.config)


def test_sangat_baik_leads_to_a_reward_recommendation(session, cast):
    follow_ups = _follow_ups(session, _approved(session, cast, "Sangat Baik"))
    assert set(follow_ups) == {"reward"}
    assert follow_ups["reward"].employee_id == cast.subject_employee.id


def test_baik_needs_no_follow_up(session, cast):
    assert _follow_ups(session, _approved(session, cast, "Baik")) == {}


@pytest.mark.parametrize("predicate", ["Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"])
def test_weak_predicates_lead_to_draft_training_and_mentoring_by_the_system(
    session, cast, follow_up_program, predicate
):
    appraisal = _approved(session, cast, predicate)
    follow_ups = _follow_ups(session, appraisal)
    assert set(follow_ups) == {"training", "mentoring"}
    nomination = session.get(TrainingNomination, follow_ups["training"].nomination_id)
    assert (nomination.state, nomination.program_id) == ("draft", follow_up_program.id)
    mentoring = session.get(MentoringAssignment, follow_ups["mentoring"].mentoring_id)
    assert (mentoring.mentor_id, mentoring.mentee_id) == (
        cast.supervisor.employee_id,
        cast.subject_employee.id,
    )
    by_system = select(AuditEntry).where(AuditEntry.trigger == "create", AuditEntry.via == "system")
    created = session.scalars(by_system).all()
    assert {(e.workflow, e.record_id) for e in created} >= {
        ("training_nomination", nomination.id),
        ("mentoring_assignment", mentoring.id),
    }


def _weak_reviewed(session, cast, count, predicate="Sangat Kurang"):
    """``count`` appraisals of new staff of the supervisor, reviewed with ``predicate``."""
    employees = [
        factories.employee(
            session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
        )
        for _ in range(count)
    ]
    session.commit()
    reviewed = []
    for employee in employees:
        record = bring_to(
            new_record(session, cast, "appraisal", employee_id=employee.id), "submitted"
        )
        reviewed.append(
            fire(record, "review", cast.supervisor, via="api", payload=_ratings(predicate))
        )
    return reviewed


def test_a_bulk_approval_makes_the_drafts_of_its_batch_together_each_standing_alone(
    session, cast, follow_up_program
):
    reviewed = _weak_reviewed(session, cast, 4, "Kurang/Misconduct")
    employees = [session.get(Employee, r.employee_id) for r in reviewed]
    # The third is already nominated to the program: that draft cannot be made, the others can.
    busy = employees[2]
    new_record(
        session, cast, "training_nomination", employee_id=busy.id, program_id=follow_up_program.id
    )

    items = [{"id": r.id, "trigger": "approve"} for r in reviewed]
    outcomes = fire_many(session, "appraisal", items, cast.manager, via="api")

    assert [o.error for o in outcomes] == [None] * 4
    for employee, appraisal in zip(employees, reviewed, strict=True):
        follow_ups = _follow_ups(session, appraisal)
        mentoring = session.get(MentoringAssignment, follow_ups["mentoring"].mentoring_id)
        assert (mentoring.mentee_id, mentoring.state) == (employee.id, "draft")
        assert mentoring.version == 1 and mentoring.created_by_id is None
        training = follow_ups["training"]
        if employee is busy:
            assert training.nomination_id is None and "open one" in training.note
        else:
            draft = session.get(TrainingNomination, training.nomination_id)
            assert (draft.employee_id, draft.state, draft.version) == (employee.id, "draft", 1)
    assert audit_verify(session).ok


def test_a_bulk_approval_writes_each_follow_up_once_naming_its_draft(
    session, cast, follow_up_program
):
    from workflow.db import MANY_ROWS

    # Enough follow-ups for the batch's bulk path (COPY on PostgreSQL).
    reviewed = _weak_reviewed(session, cast, MANY_ROWS // 2 + 1, "Butuh Perbaikan")
    session.rollback()
    items = [{"id": r.id, "trigger": "approve"} for r in reviewed]
    with sent() as statements:
        outcomes = fire_many(session, "appraisal", items, cast.manager, via="api")
    written = [
        " ".join(s.statement.split())[:40]
        for s in statements
        if "appraisal_follow_ups" in s.statement and not s.is_select
    ]

    assert [o.error for o in outcomes] == [None] * len(reviewed)
    # Written after the drafts, once: never inserted bare and then updated to name them.
    assert not [s for s in written if s.startswith("UPDATE")], written
    for appraisal in reviewed:
        follow_ups = _follow_ups(session, appraisal)
        assert set(follow_ups) == {"training", "mentoring"}
        nomination = session.get(TrainingNomination, follow_ups["training"].nomination_id)
        mentoring = session.get(MentoringAssignment, follow_ups["mentoring"].mentoring_id)
        assert nomination.employee_id == mentoring.mentee_id == appraisal.employee_id
        for follow_up in follow_ups.values():
            assert follow_up.predicate == "Butuh Perbaikan" and follow_up.note is None
            assert follow_up.agency_id == appraisal.agency_id and follow_up.created_at
    assert audit_verify(session).ok


READ = ("FROM appraisal_follow_ups", "FROM training_programs", "FROM employees")


def _reads_taking(session, records, trigger: str, actor, data=None) -> dict[str, int]:
    """How often a bulk ``trigger`` of ``records`` reads each table of ``READ``."""
    items = [{"id": r.id, "trigger": trigger, "data": data} for r in records]
    with sent() as statements:
        outcomes = fire_many(session, "appraisal", items, actor, via="api")
    assert [o.error for o in outcomes] == [None] * len(records)
    selects = [" ".join(s.statement.split()) for s in statements if s.is_select]
    return {table: sum(table in select for select in selects) for table in READ}


def test_a_bulk_approval_reads_as_often_for_eight_weak_appraisals_as_for_three(
    session, cast, follow_up_program
):
    few, many = _weak_reviewed(session, cast, 3), _weak_reviewed(session, cast, 8)
    session.rollback()
    # Their follow-ups, the program and the people the drafts name: read for the batch.
    approving = _reads_taking(session, many, "approve", cast.manager)
    assert approving == _reads_taking(session, few, "approve", cast.manager)
    assert approving["FROM appraisal_follow_ups"] == 1
    for appraisal in few + many:
        follow_ups = _follow_ups(session, appraisal)
        assert follow_ups["training"].nomination_id and follow_ups["mentoring"].mentoring_id
    assert audit_verify(session).ok


def test_bulk_steps_after_which_nothing_follows_never_read_the_follow_ups(
    session, cast, follow_up_program
):
    staff = [
        factories.employee(
            session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
        )
        for _ in range(4)
    ]
    session.commit()
    submitted = [
        bring_to(new_record(session, cast, "appraisal", employee_id=e.id), "submitted")
        for e in staff
    ]
    session.rollback()
    # a review plans nothing; nor does approving "Baik", the predicate most have
    reviewing = _reads_taking(session, submitted, "review", cast.supervisor, _ratings("Baik"))
    assert reviewing["FROM appraisal_follow_ups"] == reviewing["FROM training_programs"] == 0
    approving = _reads_taking(session, submitted, "approve", cast.manager)
    assert approving["FROM appraisal_follow_ups"] == approving["FROM training_programs"] == 0
    assert all(_follow_ups(session, a) == {} for a in submitted)


def test_without_a_follow_up_program_the_training_follow_up_says_so(session, cast):
    follow_ups = _follow_ups(session, _approved(session, cast, "Butuh Perbaikan"))
    assert follow_ups["training"].nomination_id is None
    assert "FOLLOW_UP_PROGRAM_CODE" in follow_ups["training"].note
    assert follow_ups["mentoring"].mentoring_id is not None


def test_a_revision_on_appeal_creates_no_follow_up_twice(session, cast, follow_up_program):
    appraisal = _approved(session, cast, "Butuh Perbaikan")
    before = _follow_ups(session, appraisal)
    appraisal = fire(
        session.get(Appraisal, appraisal.id),
        "appeal",
        cast.subject,
        via="api",
        comment="Target tercapai, bukti terlampir",
    )
    fire(
        appraisal,
        "revise",
        cast.manager,
        via="api",
        comment="Dinilai ulang",
        payload=_ratings("Sangat Kurang", "Ulang"),
    )
    after = _follow_ups(session, appraisal)
    assert {k: f.id for k, f in after.items()} == {k: f.id for k, f in before.items()}
    nominations = session.scalar(
        select(func.count())
        .select_from(TrainingNomination)
        .where(TrainingNomination.program_id == follow_up_program.id)
    )
    assert nominations == 1


# -- appeal (keberatan) --------------------------------------------------------------------


def test_the_employee_may_object_and_the_superior_upholds(session, cast):
    appraisal = _approved(session, cast, "Baik")
    appealed = fire(appraisal, "appeal", cast.subject, via="api", comment="Mohon ditinjau")
    assert appealed.state == "appealed"
    with pytest.raises(Forbidden):
        fire(appealed, "uphold", cast.supervisor, via="api", comment="Tetap")  # the assessor
    upheld = fire(appealed, "uphold", cast.manager, via="api", comment="Penilaian sudah tepat")
    assert (upheld.state, upheld.predicate) == ("approved", "Baik")
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.trigger, last.actor_id, last.comment) == (
        "uphold",
        cast.manager.id,
        "Penilaian sudah tepat",
    )


def test_the_superior_may_revise_the_predicate(session, cast):
    appraisal = fire(
        _approved(session, cast, "Baik"),
        "appeal",
        cast.subject,
        via="api",
        comment="Capaian di atas target",
    )
    revised = fire(
        appraisal,
        "revise",
        cast.manager,
        via="api",
        comment="Bukti diterima",
        payload=_ratings("Sangat Baik", "Direvisi"),
    )
    assert (revised.state, revised.predicate) == ("approved", "Sangat Baik")
    assert "reward" in _follow_ups(session, revised)


def test_only_the_employee_may_object_with_a_reason_and_within_the_window(app, session, cast):
    appraisal = _approved(session, cast, "Baik")
    with pytest.raises(Forbidden):
        fire(appraisal, "appeal", cast.hr, via="api", comment="x")
    with pytest.raises(InvalidPayload, match="needs a reason"):
        fire(appraisal, "appeal", cast.subject, via="api")
    configure({**app.config, "APPRAISAL_APPEAL_WINDOW_DAYS": 0})
    try:
        with pytest.raises(TransitionNotAllowed, match="within 0 days"):
            fire(appraisal, "appeal", cast.subject, via="api", comment="Terlambat")
    finally:
        configure(app.config)


# -- acting officials (Plt/Plh) ------------------------------------------------------------


def _acting(session, cast, start, end, *, principal=None):
    unit = factories.unit(session, cast.agency)
    deputy = factories.employee(session, unit, rank="III/d")
    user = factories.user(session, RoleName.EMPLOYEE, employee=deputy)
    session.commit()
    official = (principal or cast.manager).employee_id
    row = delegation.delegate(
        session,
        cast.hr,
        principal_id=official,
        delegate_id=deputy.id,
        starts_on=start,
        ends_on=end,
        kind="Plh",
    )
    return row, user


def test_a_delegate_acts_for_the_official_during_the_period_only(session, cast):
    today = local_today()
    appraisal = fire(
        bring_to(new_record(session, cast, "appraisal"), "submitted"),
        "review",
        cast.supervisor,
        via="api",
        payload=_ratings("Baik"),
    )
    _row, deputy = _acting(session, cast, today, today)
    assert [i.record.id for i in inbox(session, deputy)] == [appraisal.id]

    approved = fire(appraisal, "approve", deputy, via="api")

    assert approved.state == "approved"
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.actor_id, last.on_behalf_of_id) == (deputy.id, cast.manager.employee_id)
    assert audit_verify(session).ok  # the extra field is part of the chain


@pytest.mark.parametrize(
    ("start", "end", "acts"),
    [(0, 0, True), (-3, 0, True), (0, 5, True), (1, 5, False), (-5, -1, False)],
)
def test_delegation_boundaries_include_both_days(session, cast, start, end, acts):
    today = local_today()
    record = fire(
        bring_to(new_record(session, cast, "appraisal"), "submitted"),
        "review",
        cast.supervisor,
        via="api",
        payload=_ratings("Baik"),
    )
    _row, deputy = _acting(
        session, cast, today + timedelta(days=start), today + timedelta(days=end)
    )
    assert any(a.trigger == "approve" for a in allowed_triggers(record, deputy)) is acts
    assert bool(inbox(session, deputy)) is acts


def test_a_revoked_delegation_gives_no_right(session, cast):
    today = local_today()
    record = fire(
        bring_to(new_record(session, cast, "appraisal"), "submitted"),
        "review",
        cast.supervisor,
        via="api",
        payload=_ratings("Baik"),
    )
    row, deputy = _acting(session, cast, today, today + timedelta(days=3))
    delegation.revoke(session, cast.hr, row.id, via="api")
    with pytest.raises(Forbidden):
        fire(record, "approve", deputy, via="api")


def test_a_delegation_counts_from_the_next_transaction_of_the_same_session(session, cast):
    # Whom a user acts for is read once per transaction; a session that lives on (a
    # worker's, a test's) must still see a delegation made or revoked since.
    today = local_today()
    record = fire(
        bring_to(new_record(session, cast, "appraisal"), "submitted"),
        "review",
        cast.supervisor,
        via="api",
        payload=_ratings("Baik"),
    )
    unit = factories.unit(session, cast.agency)
    deputy = factories.user(session, RoleName.EMPLOYEE, employee=factories.employee(session, unit))
    session.commit()
    wf = workflow_for("appraisal")

    def seen() -> tuple[list, list]:
        listed = session.scalars(select(Appraisal.id).where(visible_clause(wf, deputy))).all()
        return listed, [item.record.id for item in inbox(session, deputy)]

    assert seen() == ([], [])
    row = delegation.delegate(
        session,
        cast.hr,
        principal_id=cast.manager.employee_id,
        delegate_id=deputy.employee_id,
        starts_on=today,
        ends_on=today,
        kind="Plh",
    )
    assert seen() == ([record.id], [record.id])
    delegation.revoke(session, cast.hr, row.id, via="api")
    assert seen() == ([], [])


def test_only_hr_of_the_officials_agency_may_delegate(session, cast):
    today = local_today()
    # another agency's official is not theirs to see: refused as one that does not exist
    with pytest.raises(InvalidPayload, match="no employee"):
        delegation.delegate(
            session,
            cast.hr_other,
            principal_id=cast.manager.employee_id,
            delegate_id=cast.colleague.employee_id,
            starts_on=today,
            ends_on=today,
        )
    with pytest.raises(InvalidPayload, match="ends before"):
        delegation.delegate(
            session,
            cast.hr,
            principal_id=cast.manager.employee_id,
            delegate_id=cast.colleague.employee_id,
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )


def test_hr_manages_delegations_over_the_api(client, session, cast, bearer):
    today = local_today().isoformat()
    body = {
        "principal_id": cast.manager.employee_id,
        "delegate_id": cast.colleague.employee_id,
        "kind": "Plt",
        "starts_on": today,
        "ends_on": today,
    }
    hr = bearer(cast.hr)
    created = client.post("/api/v1/delegations", json=body, headers=hr)
    assert created.status_code == 201, created.json
    assert created.json["agency_id"] == cast.agency.id and created.json["revoked_at"] is None
    assert client.get("/api/v1/delegations", headers=hr).json["items"][0]["kind"] == "Plt"
    # the official is not theirs to see: refused as an employee that does not exist
    assert (
        client.post("/api/v1/delegations", json=body, headers=bearer(cast.hr_other)).status_code
        == 422
    )
    assert client.get("/api/v1/delegations", headers=bearer(cast.subject)).status_code == 403
    backwards = {**body, "ends_on": (local_today() - timedelta(days=1)).isoformat()}
    assert client.post("/api/v1/delegations", json=backwards, headers=hr).status_code == 422
    ended = client.delete(created.headers["Location"], headers=hr)
    assert ended.status_code == 200 and ended.json["revoked_at"] is not None


# -- the distribution of predicates --------------------------------------------------------


def test_the_distribution_counts_approved_appraisals_per_predicate(session, cast, cli):
    from workflow.distribution import distribution

    _approved(session, cast, "Sangat Baik")
    _approved(session, cast, "Baik", period="Q1")  # another period
    bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")  # not approved
    rows = distribution(session, agency_id=cast.agency.id, year=2025, period="annual")
    assert [(r.predicate, r.count, r.share) for r in rows] == [
        ("Sangat Baik", 1, 1.0),
        ("Baik", 0, 0.0),
        ("Butuh Perbaikan", 0, 0.0),
        ("Kurang/Misconduct", 0, 0.0),
        ("Sangat Kurang", 0, 0.0),
    ]
    result = cli("predicates", "report", "--agency", cast.agency.code, "--year", "2025")
    assert result.exit_code == 0 and "Sangat Baik" in result.output and "100.0%" in result.output
