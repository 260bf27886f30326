"""The vocabulary in which each workflow is declared: parties, transitions, workflows.

A workflow module lists its states and transitions as data; this module turns
that data into one shared ``transitions.Machine`` per workflow, built once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from marshmallow import Schema
from transitions import Machine

# Channels through which a transition can arrive; recorded on every audit row.
VIA_CHANNELS = frozenset({"api", "admin", "webhook", "system", "cli"})


@dataclass(frozen=True)
class Party:
    """Someone who may fire a transition, relative to the record.

    ``holds(actor, record)`` decides for one record; ``where(actor, model)``
    gives the SQL condition selecting the records for which it holds (for the
    inbox and lists), or None where it holds for none of them through this
    party; a party without ``where`` has no inbox (admins, external systems).
    """

    name: str
    holds: Callable[[Any, Any], bool]
    where: Callable[[Any, type], Any] | None = None
    # For a party that is one employee of the record (an official), that employee's id:
    # an acting official (Plt/Plh) may then take the party's steps on their behalf.
    principal: Callable[[Any], int | None] | None = None


@dataclass
class TransitionContext:
    """What the engine hands to guards and effects of one firing."""

    session: Any
    record: Any
    actor: Any
    trigger: str
    via: str
    payload: dict
    comment: str | None
    now: Any
    # Records an effect asks for; the engine makes them once the change is written.
    creates: list[ByRule] = field(default_factory=list)
    # Rows an effect adds beside the change, (table, column values), each row of a table
    # with the same columns: written after ``creates``, so that they can name those records.
    rows: list[tuple[Any, dict]] = field(default_factory=list)
    # What a batch of steps shares: its locked records (``BATCH_RECORDS``), and what an
    # effect reads once for all of them, so that it need not ask the database record by
    # record; empty for a step taken alone.
    batch: dict = field(default_factory=dict)


# The key of ``TransitionContext.batch`` under which a batch of steps hands its effects
# the records it locked.
BATCH_RECORDS = "records"


@dataclass(frozen=True)
class ByRule:
    """A record a rule makes as the system, once the change that called for it is written.

    In a bulk change the engine makes those of the whole batch together. ``done(record,
    error)`` is told the new record, or the domain error that kept it from being made
    (an open record already exists, the data is refused); the change stands either way.
    """

    workflow: str
    data: dict
    comment: str
    done: Callable[[Any, Any], None]


@dataclass(frozen=True)
class Transition:
    """One edge of a workflow, declared as data.

    * ``who``: the parties allowed to fire it (any one suffices).
    * ``not_subject``: segregation of duties, nobody decides on their own record.
    * ``not_reviewer``: the approver must be someone other than the reviewer.
    * ``marks_reviewer``: this step is the review; remember who made it.
    * ``payload``: marshmallow schema of the data the trigger takes, or None.
    * ``guards``: callables ``guard(ctx)`` that raise a domain error to refuse.
    * ``effects``: callables ``effect(ctx)`` run with the state change.
    * ``needs_comment``: the trigger must carry a reason (return, reject).
    * ``inbox``: the parties in whose inbox records waiting for this step appear.
    """

    trigger: str
    source: tuple[str, ...]
    dest: str
    who: tuple[Party, ...]
    not_subject: bool = False
    not_reviewer: bool = False
    marks_reviewer: bool = False
    payload: type[Schema] | None = None
    guards: tuple[Callable[[TransitionContext], None], ...] = ()
    effects: tuple[Callable[[TransitionContext], None], ...] = ()
    needs_comment: bool = False
    inbox: tuple[Party, ...] = ()


def t(trigger: str, source, dest, who, **options) -> Transition:
    """Shorthand for declaring a transition; ``source`` may be one state or several."""
    sources = (source,) if isinstance(source, str) else tuple(source)
    return Transition(trigger, tuple(str(s) for s in sources), str(dest), tuple(who), **options)


@dataclass
class Workflow:
    """A workflow: its states, transitions and who may create its records."""

    name: str
    title: str
    states: type[StrEnum]
    initial: str
    final: frozenset[str]
    transitions: Sequence[Transition]
    create_who: tuple[Party, ...]
    create_schema: type[Schema]
    # (session, loaded data, actor) -> column values; actor None is the system
    prepare: Callable[[Any, dict, Any], dict]
    edit_schema: type[Schema]  # the fields that may change while draft or returned
    revise: Callable[[Any, Any, dict, Any], None]  # (session, record, loaded data, actor)
    editable: frozenset[str] = frozenset({"draft", "returned"})
    # The record's own fields its audit entries vouch for, beside its state, version,
    # agency and who created and reviewed it (``workflow.audit.record_digest``).
    audited: tuple[str, ...] = ()
    model: type | None = None  # the record's table
    # (field, model, label): rows the create data names that its creator must be able to see;
    # one they may not see is refused in the same words as one that does not exist.
    references: tuple[tuple[str, type, str], ...] = ()
    # (field, model): every row the create data names, which a batch of records made by rule
    # (``workflow.byrule``) loads in one query per model before ``prepare`` reads them.
    named: tuple[tuple[str, type], ...] = ()
    # Checks of the create data alone, run before any row it names is read.
    check: Callable[[dict], None] | None = None
    # Rows of other tables a record's audited field sums up (a digest): (session, the ids
    # to check or None for all) -> the problems found, for ``audit verify``.
    vouched: Callable[[Any, Any], Iterable[str]] | None = None
    # (session, record): what a new record works out once its rows are written and have ids,
    # before its first audit entry (a plan's digest of its RHK).
    settle: Callable[[Any, Any], None] | None = None
    # (record) -> what an answer carries beside the record's columns (a plan's RHK), so that
    # a request retried with its Idempotency-Key gets the same.
    answered: Callable[[Any], dict] | None = None
    machine: Machine = field(init=False, repr=False)
    _by_edge: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_edge = {}
        for spec in self.transitions:
            for source in spec.source:
                if (spec.trigger, source) in self._by_edge:
                    raise ValueError(f"{self.name}: {spec.trigger!r} from {source!r} twice")
                self._by_edge[(spec.trigger, source)] = spec
        self.machine = self._build_machine()

    def _build_machine(self) -> Machine:
        # One machine per workflow, shared by every record: model=None, and
        # records are passed to Event.trigger, which binds nothing to them.
        machine = Machine(
            model=None,
            states=[s.value for s in self.states],
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
            name=self.name,
        )
        for spec in self.transitions:
            machine.add_transition(
                spec.trigger,
                source=list(spec.source),
                dest=spec.dest,
                conditions=[_guard_callback(g) for g in spec.guards],
                before=[_effect_callback(e) for e in spec.effects],
            )
        return machine

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(spec.trigger for spec in self.transitions))

    def edge(self, trigger: str, state: str) -> Transition | None:
        return self._by_edge.get((trigger, state))

    def edges_from(self, state: str) -> list[Transition]:
        return [spec for spec in self.transitions if state in spec.source]


def _guard_callback(guard):
    def condition(event) -> bool:
        guard(event.kwargs["ctx"])  # raises a domain error to refuse
        return True

    condition.__name__ = getattr(guard, "__name__", "guard")
    return condition


def _effect_callback(effect):
    def before(event) -> None:
        effect(event.kwargs["ctx"])

    before.__name__ = getattr(effect, "__name__", "effect")
    return before
