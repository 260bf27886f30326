"""Nominating many employees for one program at once: those the JP report finds below the
20 JP yearly right (PP 17/2020 art. 203), from that report."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from workflow import capacity, policy
from workflow.engine import create
from workflow.errors import InvalidPayload, NotFound, Text, WorkflowError
from workflow.models.org import Employee
from workflow.models.programs import TrainingProgram

MAX_AT_ONCE = 500  # a report page's worth; more is a list to split


@dataclass(frozen=True)
class Nominated:
    """One employee of ``nominate``: the draft nomination made, or why none was."""

    employee_id: int
    record: object | None = None
    error: WorkflowError | None = None


def nominate(
    session: Session,
    actor,
    *,
    agency_id: int,
    program_id: int,
    employee_ids: list[int],
    reason: str,
    via: str,
) -> list[Nominated]:
    """A draft nomination of each employee of ``agency_id`` for the program, each made by the
    engine as the actor would make it by hand (rights, one open nomination per program).

    First, as a whole: the program has a seat for each of them, and the agency's budget of
    the program's year has room for their cost (both are taken only at approval; this keeps
    a list from being nominated that could never be approved together).
    """
    ids = list(dict.fromkeys(employee_ids))
    if not ids or len(ids) > MAX_AT_ONCE:
        raise InvalidPayload(
            "choose the employees to nominate",
            {"employee_id": [Text("Between 1 and %(most)s employees.", most=MAX_AT_ONCE)]},
        )
    program = session.get(TrainingProgram, program_id)
    if program is None or not policy.can_see(actor, program):
        raise NotFound("no training program %(id)s", {"id": program_id})
    capacity.check_room(session, program, agency_id, len(ids))
    done = []  # each nomination is a transaction of its own (the engine's)
    for employee_id in ids:
        employee = session.get(Employee, employee_id)
        if employee is None or employee.agency_id != agency_id:
            done.append(
                Nominated(employee_id, error=NotFound("no employee %(id)s", {"id": employee_id}))
            )
            continue
        data = {"employee_id": employee_id, "program_id": program.id, "justification": reason}
        try:
            record = create(session, "training_nomination", actor, data, via=via)
        except WorkflowError as exc:
            session.rollback()
            done.append(Nominated(employee_id, error=exc))
        else:
            done.append(Nominated(employee_id, record=record))
    return done
