"""Forms of the back office: one per trigger, built from the trigger's own data schema."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import wtforms
from flask_admin.form import SecureForm
from flask_babel import Domain
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from workflow.predicate import CoreValue
from workflow.workflows import WORKFLOWS
from workflow.workflows.skp_plan import MAX_INDICATORS, MAX_RHK

RATING_LABELS = {
    "di_atas_ekspektasi": _l("Above expectations (di atas ekspektasi)"),
    "sesuai_ekspektasi": _l("As expected (sesuai ekspektasi)"),
    "di_bawah_ekspektasi": _l("Below expectations (di bawah ekspektasi)"),
}
FIELD_LABELS = {
    "work_result_rating": _l("Work results (hasil kerja)"),
    "behaviour_rating": _l("Work behaviour (perilaku kerja)"),
    "feedback": _l("Feedback (umpan balik)"),
    "self_assessment": _l("Self-assessment"),
    "behaviour_feedback": _l("Feedback per BerAKHLAK value"),
    "expectations": _l("Leader's expectations per BerAKHLAK value"),
}
CORE_VALUE_LABELS = {
    "berorientasi_pelayanan": _l("Service-oriented (berorientasi pelayanan)"),
    "akuntabel": _l("Accountable (akuntabel)"),
    "kompeten": _l("Competent (kompeten)"),
    "harmonis": _l("Harmonious (harmonis)"),
    "loyal": _l("Loyal (loyal)"),
    "adaptif": _l("Adaptive (adaptif)"),
    "kolaboratif": _l("Collaborative (kolaboratif)"),
}


class CoreValuesForm(Form):
    """One optional feedback box per BerAKHLAK value."""


for _value in CoreValue:
    setattr(CoreValuesForm, _value.value, TextAreaField(CORE_VALUE_LABELS[_value.value]))


class _WTFormsMessages:
    """WTForms' own messages (*This field is required.*) from our ``wtforms`` catalogue:
    WTForms ships no Indonesian, and Flask-Admin's forms read WTForms' catalogue only."""

    domain = Domain(str(Path(__file__).resolve().parent / "translations"), domain="wtforms")

    def gettext(self, string: str) -> str:
        return self.domain.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.domain.get_translations().ungettext(singular, plural, n)


class Form(SecureForm):
    """Every form of the back office: CSRF-checked, its messages in the user's language."""

    class Meta:
        _translations = _WTFormsMessages()


class TriggerForm(Form):
    """What every trigger takes: the version seen, a comment, and where to go after."""

    trigger = HiddenField()
    version = HiddenField()
    next = HiddenField()
    comment = TextAreaField(_l("Comment"))


def _field(name: str, field: fields.Field):
    label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
    if isinstance(field, fields.Dict) and name in ("behaviour_feedback", "expectations"):
        return FormField(CoreValuesForm, label)
    choices = next((v.choices for v in _validators(field) if isinstance(v, validate.OneOf)), None)
    if choices is not None:
        return SelectField(
            label,
            choices=[SelectChoice("", "—")]
            + [SelectChoice(c, RATING_LABELS.get(c, c)) for c in choices],
            validate_choice=False,  # the engine validates, and says why in its own words
        )
    return TextAreaField(label)


def _validators(field: fields.Field) -> list:
    v = field.validate
    return [] if v is None else list(v) if isinstance(v, list | tuple) else [v]


@cache
def trigger_form_class(workflow: str, trigger: str) -> type[TriggerForm]:
    """The form of ``trigger``: its data fields (from its schema) after the common ones."""
    wf = WORKFLOWS[workflow]
    spec = next(s for s in wf.transitions if s.trigger == trigger)
    extra = {}
    if spec.payload is not None:
        for name, field in spec.payload().fields.items():
            extra[name] = _field(name, field)
    return type(f"{workflow}_{trigger}_form", (TriggerForm,), extra)


def payload_value(value):
    """A form field's value as the engine takes it: blanks left out, None if nothing."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v not in (None, "")}
        return value or None
    return None if value in (None, "") else value


def payload_fields(workflow: str, trigger: str) -> list[str]:
    """The names of the data fields ``trigger`` takes."""
    wf = WORKFLOWS[workflow]
    spec = next(s for s in wf.transitions if s.trigger == trigger)
    return [] if spec.payload is None else list(spec.payload().fields)


# -- the SKP plan's RHK, written on one page (the engine takes them all at once) ------------

RHK_KIND_LABELS = {"utama": _l("main (utama)"), "tambahan": _l("additional (tambahan)")}
ASPECT_LABELS = {
    "kuantitas": _l("quantity (kuantitas)"),
    "kualitas": _l("quality (kualitas)"),
    "waktu": _l("time (waktu)"),
    "biaya": _l("cost (biaya)"),
}
INDICATOR_ROWS = 4  # quantity, quality, time and cost, where used
BLANK_RHK_ROWS = 2  # rows offered beside those written, for more


class IndicatorRow(wtforms.Form):
    aspect = SelectField(
        _l("Aspect"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in ASPECT_LABELS.items()],
        validate_choice=False,
    )
    indicator = StringField(_l("Indicator"))
    target = StringField(_l("Target"))


class RhkRow(wtforms.Form):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, v) for k, v in RHK_KIND_LABELS.items()],
        validate_choice=False,
    )
    text = TextAreaField(_l("Work result (RHK)"))
    parent_id = SelectField(_l("Supports the assessor's RHK"), validate_choice=False)
    agency_target = TextAreaField(_l("Agency target it serves (the agency head's plan)"))
    # Bounded (beyond: dropped, and the engine says what is too many): every list scans all
    # posted keys, so unbounded rows made a large POST take quadratic time.
    indicators = FieldList(
        FormField(IndicatorRow), min_entries=INDICATOR_ROWS, max_entries=MAX_INDICATORS + 1
    )


class RhkForm(Form):
    """Every RHK of a plan, and the version the writer saw."""

    version_seen = HiddenField()
    items = FieldList(FormField(RhkRow), max_entries=MAX_RHK + BLANK_RHK_ROWS)


class RealisationForm(Form):
    """What one RHK achieved in one period."""

    rhk_id = SelectField(_l("Work result (RHK)"), validate_choice=False)
    period = SelectField(_l("Period"), validate_choice=False)
    value = StringField(_l("Realised"))
    narrative = TextAreaField(_l("Narrative"))


class EvidenceForm(Form):
    """A file or a link, as evidence of one realisation."""

    realisation_id = SelectField(_l("Realisation"), validate_choice=False)
    file = wtforms.FileField(_l("File (PDF, PNG or JPEG)"))
    url = StringField(_l("Or a link (http:// or https://)"))


class FeedbackForm(Form):
    """The assessor's dated note on one RHK or one BerAKHLAK value."""

    about = SelectField(_l("Feedback on"), validate_choice=False)
    note = TextAreaField(_l("Feedback"))
    given_on = StringField(_l("Date (YYYY-MM-DD; blank: today)"))
