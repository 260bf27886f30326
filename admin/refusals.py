"""The core's refusals in the user's language.

The core says each refusal as an English template with parameters (``workflow.errors``);
here the template is translated and each parameter that is a code (a ``Term``) is shown
by its label: *“Setujui” tidak dapat dilakukan selama penilaian kinerja berstatus
“keberatan”*, not *'approve' is not possible while … 'appealed'*.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin.labels import PARTY_LABELS, STATE_LABELS, TITLES, TRIGGER_LABELS
from workflow.errors import (
    Either,
    InvalidPayload,
    Term,
    Text,
    TransitionNotAllowed,
    WorkflowError,
)

# What the core calls the rows it names (``policy.describe``: a table's name, singular).
MODEL_LABELS = {
    "agency": _l("agency"),
    "agencie": _l("agency"),
    "unit": _l("work unit"),
    "employee": _l("employee"),
    "training program": _l("training program"),
    "development budget": _l("development budget"),
    "holiday": _l("holiday"),
    "user": _l("user"),
    "role": _l("role"),
    "api token": _l("API token"),
    "delegation": _l("delegation"),
    "organisation rating": _l("organisation rating"),
    "appraisal follow up": _l("appraisal follow-up"),
    "webhook client": _l("webhook client"),
    "subscription": _l("subscription"),
    "outbox deliverie": _l("delivery"),
    "training nomination": _l("training nomination"),
    "mentoring assignment": _l("mentoring assignment"),
    "appraisal": _l("performance appraisal"),
    "notification": _l("notification"),
    "notification setting": _l("notification setting"),
}
ACTION_LABELS = {
    "see": _l("see"),
    "create": _l("add"),
    "change": _l("change"),
    "delete": _l("delete"),
}
# The fields a refusal names, where the form's own label is not at hand.
FIELD_LABELS = {
    "assessor_id": _l("assessor"),
    "approver_id": _l("approver"),
    "reason": _l("reason"),
    "comment": _l("Comment"),
    "data": _l("data"),
    "cross_agency": _l("another agency"),
    "starts_on": _l("the start date"),
    "plans_due_on": _l("the SKP plans deadline"),
    "ends_on": _l("the end date"),
    "realisation_due_on": _l("the realisation deadline"),
}


def _quoted(label) -> str:
    return f"“{label}”"


def word(value) -> str:
    """A refusal's parameter as the user reads it: a code by its label, a list joined."""
    if isinstance(value, Either):
        return _(" or ").join(word(item) for item in value)
    if isinstance(value, tuple | list):
        return ", ".join(word(item) for item in value)
    if not isinstance(value, Term):
        return str(value)
    kind, code = value.kind, value.code
    if kind == "state":
        return _quoted(STATE_LABELS.get(code, code))
    if kind == "trigger":
        return _quoted(TRIGGER_LABELS.get(code, code))
    if kind == "workflow":
        return str(TITLES.get(code, code)).lower()
    if kind == "party":
        return str(PARTY_LABELS.get(code, code))
    if kind == "model":
        return str(MODEL_LABELS.get(code, code))
    if kind == "action":
        return str(ACTION_LABELS.get(code, code))
    if kind == "field":
        return str(FIELD_LABELS.get(code, code))
    if kind == "data":
        return _("data for %(step)s", step=word(Term("trigger", code)))
    if kind == "create":
        return _("%(workflow)s data", workflow=word(Term("workflow", code)))
    if kind == "edit":
        return _("changes to the %(workflow)s", workflow=word(Term("workflow", code)))
    return _(value.text or code)  # a phrase the core says as it is (why an address is refused)


def _said(template: str, params: dict) -> str:
    if not params:
        return _(template)
    return _(template, **{name: word(value) for name, value in params.items()})


def line(message) -> str:
    """One field message of a refusal, translated."""
    if isinstance(message, Text):
        return _said(message.template, message.params)
    return _(str(message))


def lines(value) -> list[str]:
    """A field's messages as lines, however the schema nested them."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in lines(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in lines(item)]
    return [line(value)]


def say(exc: WorkflowError | ValueError) -> str:
    """A refusal as one sentence for a flash message, with each field's messages."""
    if isinstance(exc, ValueError):  # the core's word for input it cannot take
        message = line(exc.args[0]) if exc.args else str(exc)
        return message[:1].upper() + message[1:]
    message = _said(exc.template, exc.params)
    if isinstance(exc, InvalidPayload) and exc.errors:
        details = "; ".join(
            f"{field_label(field)}: {' '.join(lines(messages))}"
            for field, messages in exc.errors.items()
        )
        message = f"{message} ({details})"
    if isinstance(exc, TransitionNotAllowed) and not exc.allowed:
        message += "; " + _("there is nothing you may do with it now")
    return message[:1].upper() + message[1:]  # a flash is a sentence


def field_label(name: str) -> str:
    """A field the core names (``data.feedback``, ``unit_id``), as the forms label it."""
    from admin.base import LABELS
    from admin.forms import FIELD_LABELS as FORM_LABELS

    short = name.split(".")[-1]
    if short == "_schema":
        return _("the form")
    for key in (short, short.removesuffix("_id")):
        for labels in (FORM_LABELS, LABELS, FIELD_LABELS):
            if key in labels:
                return str(labels[key])
    return short
