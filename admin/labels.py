"""The names people read for the core's codes: states, steps, workflows, parties.

Kept apart from the views so that what translates a refusal (``admin.refusals``) and every
screen read the same words.
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow.models.base import PERIODS

BADGES = {
    "draft": "secondary",
    "submitted": "info",
    "reviewed": "primary",
    "approved": "success",
    "active": "success",
    "completed": "dark",
    "returned": "warning",
    "rejected": "danger",
    "withdrawn": "light",
    "appealed": "warning",
}
STATE_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "reviewed": _l("reviewed"),
    "approved": _l("approved"),
    "active": _l("active"),
    "completed": _l("completed"),
    "returned": _l("returned"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
    "appealed": _l("appealed"),
}
TITLES = {
    "training_nomination": _l("Training nomination"),
    "mentoring_assignment": _l("Mentoring assignment"),
    "appraisal": _l("Performance appraisal"),
    "skp_plan": _l("SKP plan"),
}


# Each workflow's list and record pages in the back office.
WORKFLOW_ENDPOINTS = {
    "training_nomination": "admin_training_nominations",
    "mentoring_assignment": "admin_mentoring_assignments",
    "appraisal": "admin_appraisals",
    "skp_plan": "admin_skp_plans",
}


TRIGGER_LABELS = {
    "submit": _l("Submit"),
    "review": _l("Review"),
    "approve": _l("Approve"),
    "return": _l("Return"),
    "reject": _l("Reject"),
    "withdraw": _l("Withdraw"),
    "complete": _l("Complete"),
    "start": _l("Start"),
    "accept": _l("Accept"),
    "appeal": _l("Object (keberatan)"),
    "uphold": _l("Uphold"),
    "revise": _l("Revise"),
}


PARTY_LABELS = {
    "subject": _l("the employee concerned"),
    "supervisor": _l("the direct supervisor"),
    "hr_officer": _l("an HR officer of the agency"),
    "admin": _l("an admin"),
    "external_system": _l("an external system"),
    "assessor": _l("the assessor (pejabat penilai kinerja)"),
    "approver": _l("the approver (atasan pejabat penilai kinerja)"),
    "mentor": _l("the mentor"),
}

ROLE_LABELS = {
    "admin": _l("Admin"),
    "hr_officer": _l("HR officer (BKPSDM)"),
    "supervisor": _l("Supervisor"),
    "employee": _l("Employee"),
    "external_system": _l("External system"),
}
ROLE_DESCRIPTIONS = {
    "admin": _l("Administrator: may act on every record (audited)"),
    "hr_officer": _l("HR officer (BKPSDM/BKD) of one agency"),
    "supervisor": _l("Supervisor (atasan): reviews and approves subordinates' records"),
    "employee": _l("Employee (ASN): own records and self-assessment"),
    "external_system": _l("External system (e-Kinerja, learning platform, SIASN)"),
}
# How a step reached the engine (``workflow.definition.VIA_CHANNELS``).
VIA_LABELS = {
    "admin": _l("back office"),
    "api": "API",
    "webhook": "webhook",
    "system": _l("system"),
    "cli": _l("command line"),
}
OUTCOME_LABELS = {
    "accepted": _l("accepted"),
    "duplicate": _l("duplicate"),
    "rejected": _l("refused"),
}
SLA_KIND_LABELS = {"reminder": _l("reminder"), "escalation": _l("escalation")}


def choices(labels: dict) -> list[tuple[str, object]]:
    """A column's codes with their labels, as Flask-Admin's ``column_choices`` takes them
    (lists, details, exports and filters then show the label)."""
    return list(labels.items())


def period_name(period: str) -> str:
    """A period without its year: *Tahunan*, *Triwulan II*, *Maret*."""
    if period == "annual":
        return _("Annual")
    if period in ("Q1", "Q2", "Q3", "Q4"):
        return _("Quarter %(quarter)s", quarter=("I", "II", "III", "IV")[int(period[1]) - 1])
    if period in PERIODS:
        return format_date(date(2000, int(period[1:]), 1), "MMMM")
    return period
