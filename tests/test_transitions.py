"""Every transition of every workflow: who may fire it, and what everyone else gets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import PERSONAS, new_record
from tests.workflow_paths import arguments, bring_to
from workflow import (
    Forbidden,
    InvalidPayload,
    StaleVersion,
    TransitionNotAllowed,
    allowed_triggers,
    fire,
)
from workflow.db import db
from workflow.models import AuditEntry, OutboxEvent
from workflow.workflows import WORKFLOWS

# Who does what (PermenPANRB 6/2022: who assesses whom), written apart from the definitions:
# (workflow, trigger, from state) -> the personas who may fire it.
SUBMITTERS_T = {"subject", "hr", "admin", "external"}
SUBMITTERS_M = {"hr", "supervisor", "admin"}
EXPECTED: dict[tuple[str, str, str], set[str]] = {}
for source in ("draft", "returned"):
    EXPECTED["training_nomination", "submit", source] = SUBMITTERS_T
    EXPECTED["mentoring_assignment", "submit", source] = SUBMITTERS_M
    EXPECTED["appraisal", "submit", source] = {"subject", "admin", "external"}
for trigger in ("review", "return", "reject"):
    EXPECTED["training_nomination", trigger, "submitted"] = {"supervisor", "admin"}
    EXPECTED["mentoring_assignment", trigger, "submitted"] = {"mentor", "admin"}
    EXPECTED["appraisal", trigger, "submitted"] = {"supervisor", "admin"}  # the assessor
for trigger in ("approve", "return", "reject"):
    EXPECTED["training_nomination", trigger, "reviewed"] = {"hr", "admin"}
    EXPECTED["mentoring_assignment", trigger, "reviewed"] = {"hr", "admin"}
    EXPECTED["appraisal", trigger, "reviewed"] = {"manager", "admin"}  # the assessor's superior
for source in ("draft", "submitted", "returned", "reviewed", "approved"):
    EXPECTED["training_nomination", "withdraw", source] = {"subject", "hr", "admin"}
    EXPECTED["mentoring_assignment", "withdraw", source] = {"hr", "supervisor", "admin"}
for source in ("draft", "submitted", "returned"):
    EXPECTED["appraisal", "withdraw", source] = {"subject", "hr", "admin"}
EXPECTED["training_nomination", "complete", "approved"] = {"hr", "admin", "external"}
EXPECTED["mentoring_assignment", "start", "approved"] = {"mentor", "hr", "admin"}
EXPECTED["mentoring_assignment", "complete", "active"] = {"mentor", "hr", "admin", "external"}
# Keberatan: the employee objects; the assessor's superior decides.
EXPECTED["appraisal", "appeal", "approved"] = {"subject"}
EXPECTED["appraisal", "uphold", "appealed"] = {"manager", "admin"}
EXPECTED["appraisal", "revise", "appealed"] = {"manager", "admin"}
# The SKP plan is agreed between the employee and the assessor, with no review before.
for source in ("draft", "returned"):
    EXPECTED["skp_plan", "submit", source] = {"subject", "hr", "admin", "external"}
for trigger in ("approve", "return"):
    EXPECTED["skp_plan", trigger, "submitted"] = {"supervisor", "admin"}  # the assessor
for source in ("draft", "submitted", "returned"):
    EXPECTED["skp_plan", "withdraw", source] = {"subject", "hr", "admin"}


def test_expectations_cover_exactly_the_declared_transitions():
    declared = {
        (name, spec.trigger, source)
        for name, wf in WORKFLOWS.items()
        for spec in wf.transitions
        for source in spec.source
    }
    assert declared == set(EXPECTED)


@pytest.mark.parametrize(("workflow", "trigger", "source"), sorted(EXPECTED))
def test_transition_is_allowed_exactly_for_its_parties(session, cast, workflow, trigger, source):
    personas = cast.personas()
    dest = WORKFLOWS[workflow].edge(trigger, source).dest
    for n, name in enumerate(PERSONAS):
        actor = personas[name]
        record = bring_to(
            new_record(session, cast, workflow, **distinct(session, n)[workflow]), source
        )
        offered = {a.trigger for a in allowed_triggers(record, actor)}
        if name in EXPECTED[workflow, trigger, source]:
            assert trigger in offered, name
            record = fire(record, trigger, actor, via="api", **arguments(workflow, trigger))
            assert record.state == dest, name
        else:
            assert trigger not in offered, name
            with pytest.raises(Forbidden):
                fire(record, trigger, actor, via="api", **arguments(workflow, trigger))
            session.refresh(record)
            assert record.state == source, name


def distinct(session, n: int) -> dict[str, dict]:
    """Overrides that keep each persona's record clear of "one open record per ..." rules."""
    program = factories.program(session)
    session.commit()
    return {
        "training_nomination": {"program_id": program.id},
        "mentoring_assignment": {},
        "appraisal": {"period": f"M{n + 1:02d}"},
        "skp_plan": {"year": factories.PLAN_YEAR + n},
    }


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
def test_final_states_allow_nothing_to_anyone(session, cast, workflow):
    wf = WORKFLOWS[workflow]
    for n, state in enumerate(sorted(wf.final)):
        record = bring_to(
            new_record(session, cast, workflow, **distinct(session, n)[workflow]), state
        )
        for name, actor in cast.personas().items():
            assert allowed_triggers(record, actor) == [], (state, name)
        for trigger in wf.triggers:
            with pytest.raises(TransitionNotAllowed) as refused:
                fire(record, trigger, cast.admin, via="admin", **arguments(workflow, trigger))
            assert refused.value.allowed == []
            assert refused.value.state == state


def test_returned_record_is_resubmitted_and_reviewed_again(session, cast):
    record = new_record(session, cast, "appraisal")
    record = fire(record, "submit", cast.subject, via="api", payload={"self_assessment": "v1"})
    record = fire(record, "return", cast.supervisor, via="api", comment="Lengkapi bukti dukung")
    assert record.state == "returned"
    record = fire(record, "submit", cast.subject, via="api", payload={"self_assessment": "v2"})
    assert record.state == "submitted"
    assert record.self_assessment == "v2"
    record = fire(
        record,
        "review",
        cast.supervisor,
        via="api",
        payload=arguments("appraisal", "review")["payload"],
    )
    assert record.state == "reviewed"
    trail = session.scalars(
        select(AuditEntry.trigger).where(AuditEntry.record_id == record.id).order_by(AuditEntry.seq)
    ).all()
    assert trail == ["create", "submit", "return", "submit", "review"]


def test_refusal_names_the_triggers_the_actor_may_fire(session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(record, "approve", cast.supervisor, via="api")
    assert refused.value.state == "submitted"
    assert refused.value.allowed == ["review", "return", "reject"]
    assert "review" in refused.value.message


def test_unknown_trigger_is_refused_as_not_allowed(session, cast):
    record = new_record(session, cast, "appraisal")
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(record, "teleport", cast.admin, via="api")
    assert "not a trigger" in refused.value.message
    assert refused.value.allowed == ["submit", "withdraw"]


class TestSegregationOfDuties:
    def test_nobody_reviews_a_record_about_themselves_not_even_an_admin(self, session, cast):
        from workflow.models import Role

        cast.subject.roles.append(session.scalars(select(Role).filter_by(name="admin")).one())
        session.commit()
        record = bring_to(new_record(session, cast, "appraisal"), "submitted")
        assert "review" not in {a.trigger for a in allowed_triggers(record, cast.subject)}
        with pytest.raises(Forbidden, match="about yourself"):
            fire(record, "review", cast.subject, via="admin", **arguments("appraisal", "review"))

    def test_the_reviewer_may_not_also_approve(self, session, cast):
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        record = fire(record, "review", cast.admin, via="admin")
        assert record.reviewed_by_id == cast.admin.id
        with pytest.raises(Forbidden, match="someone else"):
            fire(record, "approve", cast.admin, via="admin")
        record = fire(record, "approve", cast.hr, via="admin")
        assert record.state == "approved"

    def test_hr_officer_who_is_also_the_supervisor_cannot_approve_own_review(self, session, cast):
        # The HR officer happens to be the subject's direct supervisor.
        cast.subject_employee.supervisor_id = cast.hr.employee_id
        session.commit()
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        record = fire(record, "review", cast.hr, via="api")
        with pytest.raises(Forbidden, match="someone else"):
            fire(record, "approve", cast.hr, via="api")

    def test_a_deactivated_account_may_do_nothing(self, session, cast):
        cast.supervisor.active = False
        session.commit()
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        assert allowed_triggers(record, cast.supervisor) == []
        with pytest.raises(Forbidden, match="deactivated"):
            fire(record, "review", cast.supervisor, via="api")

    def test_only_the_system_acts_without_a_user(self, session, cast):
        record = new_record(session, cast, "appraisal")
        with pytest.raises(Forbidden):
            fire(record, "submit", None, via="api")


class TestOneTransaction:
    def test_stale_version_is_refused_and_nothing_changes(self, session, cast):
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        seen = record.version
        fire(record, "return", cast.supervisor, via="api", comment="Lengkapi")
        fire(record, "submit", cast.subject, via="api")
        with pytest.raises(StaleVersion) as stale:
            fire(record, "review", cast.supervisor, via="api", expected_version=seen)
        assert stale.value.expected == seen
        assert stale.value.actual == seen + 2
        session.refresh(record)
        assert record.state == "submitted"
        assert record.audit_seq == 4  # create, submit, return, submit

    def test_current_version_is_accepted(self, session, cast):
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        record = fire(record, "review", cast.supervisor, via="api", expected_version=record.version)
        assert record.state == "reviewed"

    def test_invalid_data_is_refused_with_field_errors(self, session, cast):
        record = bring_to(new_record(session, cast, "appraisal"), "submitted")
        with pytest.raises(InvalidPayload) as invalid:
            fire(
                record,
                "review",
                cast.supervisor,
                via="api",
                payload={"work_result_rating": "luar biasa", "feedback": "", "extra": 1},
            )
        assert set(invalid.value.errors) == {
            "work_result_rating",
            "behaviour_rating",
            "feedback",
            "extra",
        }
        with pytest.raises(InvalidPayload) as invalid:
            fire(record, "review", cast.supervisor, via="api", payload=["not", "an", "object"])
        assert invalid.value.errors == {"_schema": ["Must be an object."]}

    def test_return_and_reject_need_a_reason(self, session, cast):
        record = bring_to(new_record(session, cast, "appraisal"), "submitted")
        for trigger in ("return", "reject"):
            with pytest.raises(InvalidPayload) as invalid:
                fire(record, trigger, cast.supervisor, via="api", comment="   ")
            assert "comment" in invalid.value.errors

    def test_trigger_without_data_refuses_data(self, session, cast):
        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        with pytest.raises(InvalidPayload):
            fire(record, "review", cast.supervisor, via="api", payload={"rating": 5})

    def test_a_failure_after_the_state_change_rolls_everything_back(self, session, cast):
        from sqlalchemy import event

        record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
        before = (
            session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(OutboxEvent)),
        )

        def refuse(_conn):  # at the commit: after every write of the step
            raise RuntimeError("disk full")

        event.listen(db.engine, "commit", refuse)
        try:
            with pytest.raises(RuntimeError, match="disk full"):
                fire(record, "review", cast.supervisor, via="api")
        finally:
            event.remove(db.engine, "commit", refuse)
        session.refresh(record)
        assert record.state == "submitted"
        assert record.reviewed_by_id is None
        assert before == (
            session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(OutboxEvent)),
        )

    def test_each_transition_writes_one_audit_entry_and_one_event(self, session, cast):
        record = bring_to(new_record(session, cast, "appraisal"), "submitted")
        record = fire(
            record,
            "review",
            cast.supervisor,
            via="api",
            comment="Bagus",
            **arguments("appraisal", "review"),
        )
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_id == record.id)
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert (entry.trigger, entry.from_state, entry.to_state) == (
            "review",
            "submitted",
            "reviewed",
        )
        assert (entry.actor_id, entry.via, entry.comment) == (cast.supervisor.id, "api", "Bagus")
        assert entry.payload_digest is not None and len(entry.payload_digest) == 64
        event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
        assert event.type == "appraisal.reviewed"
        assert event.payload["id"] == record.id
        assert event.payload["from"] == "submitted" and event.payload["to"] == "reviewed"
        assert event.payload["version"] == record.version
        assert record.predicate == "Baik"
