"""Who may take a step: channels, the parties of a transition, segregation of duties.

The policy (``workflow.policy``) says who may see and change rows; this module says
who may fire which trigger on a record, and on whose behalf (an acting official,
Plt/Plh, under BKN practice).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from workflow import policy
from workflow.definition import VIA_CHANNELS, Party, Transition
from workflow.errors import Forbidden, Term, term, terms
from workflow.models.accounts import RoleName, User
from workflow.workflows import workflow_for

SYSTEM = "system"


@dataclass(frozen=True)
class AllowedTrigger:
    """A trigger the actor may fire now, and what it needs."""

    trigger: str
    dest: str
    needs_comment: bool
    fields: tuple[str, ...]  # the data fields the trigger takes
    required: tuple[str, ...]  # those of them that must be given


def allowed_triggers(record, actor: User | None) -> list[AllowedTrigger]:
    """The triggers ``actor`` may fire on ``record`` in its current state.

    Rights and segregation of duties are checked; guards that depend on the
    trigger's data are not (they are checked when it is fired).
    """
    wf = workflow_for(record)
    return [
        describe(spec)
        for spec in wf.edges_from(record.state)
        if refusal(spec, record, actor) is None
    ]


def visible(actor: User | None, record) -> bool:
    """The system sees every record; anyone else what the policy lets them see."""
    return actor is None or policy.can_see(actor, record)


def check_channel(actor, via: str) -> None:
    """Refuse an unknown channel, a user-less step not taken by the system, a deactivated user."""
    if via not in VIA_CHANNELS:
        raise ValueError(f"unknown channel {via!r}; one of {sorted(VIA_CHANNELS)}")
    if actor is None and via != SYSTEM:
        raise Forbidden("only the system itself may act without a user")
    if actor is not None and not actor.active:
        raise Forbidden("this account is deactivated")


def refusal(spec: Transition, record, actor: User | None) -> Forbidden | None:
    """Why ``actor`` may not fire ``spec`` on ``record``, or None if they may."""
    if actor is None:
        return None  # the system acts by rule
    step = {"trigger": term("trigger", spec.trigger)}
    if not actor.active:
        return Forbidden("this account is deactivated")
    if not any_holds(spec.who, actor, record):
        return Forbidden(
            "%(trigger)s may be done by: %(parties)s", step | {"parties": names(spec.who)}
        )
    own = actor.employee_id is not None and actor.employee_id == record.subject_id
    if spec.not_subject and own:
        return Forbidden(
            "you may not %(trigger)s a record about yourself",
            {"trigger": term("trigger", spec.trigger, spec.trigger)},
        )
    if spec.not_reviewer and record.reviewed_by_id is not None:
        reviewer = record.reviewed_by
        if reviewer.id == actor.id or (
            reviewer.employee_id is not None and reviewer.employee_id == actor.employee_id
        ):
            return Forbidden(
                "you reviewed this record, so someone else must %(trigger)s it",
                {"trigger": term("trigger", spec.trigger, spec.trigger)},
            )
    return None


def on_behalf_of(spec: Transition, record, actor: User | None) -> int | None:
    """The official an acting delegate stands in for, if that is the only way ``actor`` may act."""
    if actor is None:
        return None
    eid = actor.employee_id
    for party in spec.who:
        own = party.principal is None or party.principal(record) == eid
        if own and party.holds(actor, record):
            return None  # the actor's own right: nobody is stood in for
    for party in spec.who:
        if party.principal is not None and party.holds(actor, record):
            return party.principal(record)
    return None


def may_ever_create(wf, actor: User) -> bool:
    """Whether ``actor`` is, by role, among those who create (and edit) ``wf``'s records.

    Screens offer *create* only then; the engine still decides for each record.
    """
    roles = actor.role_names
    by_party = {
        "subject": actor.employee_id is not None,
        "supervisor": RoleName.SUPERVISOR in roles,
        "hr_officer": RoleName.HR_OFFICER in roles,
        "admin": RoleName.ADMIN in roles,
        "external_system": RoleName.EXTERNAL_SYSTEM in roles,
    }
    return any(by_party.get(p.name, actor.employee_id is not None) for p in wf.create_who)


def any_holds(parties: tuple[Party, ...], actor: User, record) -> bool:
    """Whether ``actor`` is one of ``parties`` for ``record``."""
    return any(party.holds(actor, record) for party in parties)


def names(parties: tuple[Party, ...]) -> tuple[Term, ...]:
    """The parties, for a refusal's message (shown by their names, joined by commas)."""
    return terms("party", [party.name for party in parties])


@cache
def describe(spec: Transition) -> AllowedTrigger:
    """What firing ``spec`` takes: its reason and its data fields."""
    fields, required = (), ()
    if spec.payload is not None:
        declared = spec.payload().fields
        fields = tuple(declared)
        required = tuple(name for name, f in declared.items() if f.required)
    return AllowedTrigger(spec.trigger, spec.dest, spec.needs_comment, fields, required)
