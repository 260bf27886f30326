"""Random triggers by random actors, checked against the workflow rules (hypothesis).

Whatever is fired by whoever: the state stays inside the definition, approval
never happens without a review since the last submission, the record's state
equals the target of its last audit entry, and the audit chain verifies, in full and since
the newest checkpoint, wherever the checkpoints fell between the steps.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from tests import factories
from tests.conftest import _empty_tables
from tests.factories import PERSONAS, new_record
from tests.workflow_paths import RATINGS, arguments
from workflow import WorkflowError, checkpoints, fire, verification
from workflow.db import db
from workflow.models import AuditEntry
from workflow.workflows import WORKFLOWS

ACTORS = (
    *PERSONAS,
    "system",
)
PAYLOADS = st.sampled_from([None, {}, RATINGS, {"self_assessment": "ok"}, {"bogus": 1}])
COMMENTS = st.sampled_from([None, "", "Alasan yang jelas."])
# The step an approval follows: the review, but an SKP plan is agreed straight from its
# submission (no second official).
APPROVED_AFTER = {"skp_plan": "submit"}
# The states a run must have explored, of those its workflow has.
MUST_REACH = {"submitted", "reviewed", "approved", "returned"}


def machine_for(workflow: str, reached: set[str]):
    wf = WORKFLOWS[workflow]

    class WorkflowRun(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            _empty_tables()
            db.session.remove()
            self.session = db.session
            self.cast = factories.cast(self.session)
            self.record = new_record(self.session, self.cast, workflow)
            self.fired = 0

        @rule(
            trigger=st.sampled_from([*wf.triggers, "teleport"]),
            # Half the time the system, which may fire anything, so runs get deep.
            actor=st.one_of(st.just("system"), st.sampled_from(ACTORS)),
            well_formed=st.booleans(),
            payload=PAYLOADS,
            comment=COMMENTS,
        )
        def fire_something(self, trigger, actor, well_formed, payload, comment):
            if well_formed:  # what the trigger needs; otherwise anything at all
                needs = arguments(workflow, trigger)
                payload, comment = needs.get("payload"), needs.get("comment")
            user = None if actor == "system" else getattr(self.cast, actor)
            via = "system" if user is None else "api"
            before = self.record.state
            try:
                self.record = fire(
                    self.record, trigger, user, via=via, payload=payload, comment=comment
                )
            except WorkflowError:
                self.session.expire_all()
                assert self.record.state == before
                return
            self.fired += 1
            reached.add(self.record.state)
            spec = wf.edge(trigger, before)
            assert spec is not None and self.record.state == spec.dest

        @rule(data=st.data(), actor=st.one_of(st.just("system"), st.sampled_from(ACTORS)))
        def fire_an_edge_of_the_current_state(self, data, actor):
            edges = wf.edges_from(self.record.state)
            if edges:
                trigger = data.draw(st.sampled_from([spec.trigger for spec in edges]))
                self.fire_something(trigger, actor, True, None, None)
            if data.draw(st.booleans(), label="checkpoint"):
                self.session.rollback()
                checkpoints.create(self.session)

        @invariant()
        def state_is_declared(self):
            assert self.record.state in {s.value for s in wf.states}

        @invariant()
        def state_matches_last_audit_entry(self):
            last = self.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.workflow == workflow, AuditEntry.record_id == self.record.id)
                .order_by(AuditEntry.seq.desc())
            ).first()
            assert last.to_state == self.record.state
            assert last.seq == self.record.audit_seq

        @invariant()
        def approval_always_follows_a_review(self):
            trail = self.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.workflow == workflow, AuditEntry.record_id == self.record.id)
                .order_by(AuditEntry.seq)
            ).all()
            before = APPROVED_AFTER.get(workflow, "review")
            for i, trigger in enumerate(trail):
                if trigger == "approve":
                    since_submit = trail[:i][::-1]
                    assert since_submit[0] == before, trail
            if self.record.state in ("approved", "active", "completed"):
                assert before in trail

        @invariant()
        def audit_chain_verifies(self):
            # in full and since the newest checkpoint, whenever the checkpoints fell
            for check in (verification.verify, verification.verify_since_checkpoint):
                report = check(self.session)
                self.session.rollback()
                assert report.ok, report.problems

        def teardown(self):
            self.session.rollback()
            db.session.remove()

    WorkflowRun.__name__ = f"{workflow}_run"
    return WorkflowRun


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
def test_random_triggers_by_random_actors_keep_every_rule(app_ctx, workflow):
    reached: set[str] = set()
    run_state_machine_as_test(
        machine_for(workflow, reached),
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
            derandomize=True,  # the same exploration on every run: no flaky CI
        ),
    )
    # The runs must have explored the workflow, or the invariants prove little.
    assert MUST_REACH & {s.value for s in WORKFLOWS[workflow].states} <= reached, reached
