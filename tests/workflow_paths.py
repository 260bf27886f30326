"""How to bring a record to a given state, and what each trigger needs, per workflow."""

from __future__ import annotations

from workflow import fire

RATINGS = {
    "work_result_rating": "sesuai_ekspektasi",
    "behaviour_rating": "di_atas_ekspektasi",
    "feedback": "Pertahankan kinerja.",
    "behaviour_feedback": {"kolaboratif": "Aktif berbagi praktik baik di tim."},
}
# The same as the back office's review form posts them.
RATINGS_FORM = {
    **{k: v for k, v in RATINGS.items() if k != "behaviour_feedback"},
    **{f"behaviour_feedback-{k}": v for k, v in RATINGS["behaviour_feedback"].items()},
}

COACHING = {"coaching_feedback": "Modul ajar tersusun", "competency_score": 4}

# The path of triggers from draft to each state.
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "reviewed": ["submit", "review"],
    "approved": ["submit", "review", "approve"],
    "active": ["submit", "review", "approve", "start"],
    "completed": ["submit", "review", "approve", "complete"],
    "returned": ["submit", "return"],
    "rejected": ["submit", "reject"],
    "withdrawn": ["withdraw"],
    "appealed": ["submit", "review", "approve", "appeal"],
}


def path_to(workflow: str, state: str) -> list[str]:
    if workflow == "mentoring_assignment" and state == "completed":
        return [*PATHS["active"], "complete"]
    if workflow == "skp_plan" and state == "approved":
        return ["submit", "approve"]  # agreed by the assessor, with no review before
    return PATHS[state]


def arguments(workflow: str, trigger: str) -> dict:
    """The keyword arguments a trigger needs to succeed (data, reason)."""
    if workflow == "appraisal" and trigger in ("review", "revise"):
        extra = {"comment": "Dinilai ulang atas keberatan."} if trigger == "revise" else {}
        return {"payload": RATINGS, **extra}
    if trigger in ("appeal", "uphold"):
        return {"comment": "Keberatan atas predikat."}
    if workflow == "mentoring_assignment" and trigger == "complete":
        return {"payload": COACHING}
    if trigger in ("return", "reject"):
        return {"comment": "Perlu diperbaiki."}
    return {}


def bring_to(record, state: str):
    """Move ``record`` (a draft) to ``state`` as the system."""
    for trigger in path_to(record.workflow_name, state):
        record = fire(
            record, trigger, None, via="system", **arguments(record.workflow_name, trigger)
        )
    return record
