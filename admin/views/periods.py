"""*Periode kinerja*: an agency's performance periods, defined and opened by its HR."""

from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from admin.access import is_admin, me
from admin.base import AlurModelView, row_ids
from workflow import periods
from workflow.db import db
from workflow.models import PeriodKind

KIND_CHOICES = [
    (PeriodKind.ANNUAL.value, _l("Annual")),
    (PeriodKind.QUARTERLY.value, _l("Quarterly")),
    (PeriodKind.MONTHLY.value, _l("Monthly")),
]
DATE_LABELS = {
    "starts_on": _l("Starts"),
    "ends_on": _l("Ends"),
    "plans_due_on": _l("SKP plans due"),
    "realisation_due_on": _l("Realisation due"),
    "evaluation_due_on": _l("Evaluation due"),
}
# The left-out employees a flash names; the API and the command line give them all.
SHOWN_LEFT_OUT = 10
LEFT_OUT = {
    periods.NO_ASSESSOR: _l("no supervisor in the org chart to assess them"),
    periods.NO_APPROVER: _l("their supervisor has no supervisor to approve"),
    periods.SAME_PERSON: _l("the org chart names the same person twice in their chain"),
}


class PeriodView(AlurModelView):
    """Periods of the agency: HR defines one (its dates follow from the year and kind unless
    given) and opens it, which makes every employee's appraisal for it."""

    edit_roles = frozenset({"admin", "hr_officer"})
    can_edit = False
    column_list = ["id", "agency", "year", "kind", "number", *DATE_LABELS, "opened_at"]
    column_filters = ["year", "kind"]
    column_choices = {"kind": KIND_CHOICES}
    column_labels = {
        "agency": _l("Agency"),
        "year": _l("Year"),
        "kind": _l("Kind"),
        "number": _l("Quarter or month"),
        "opened_at": _l("Opened"),
        **DATE_LABELS,
    }
    column_descriptions = {
        "number": _l("1 for a year; the quarter (1-4) or the month (1-12)"),
        "plans_due_on": _l("Left empty: from the year, the kind and the number"),
    }
    form_columns = ["agency", "year", "kind", "number", *DATE_LABELS]
    form_ajax_refs = {"agency": {"fields": ["code", "name"], "page_size": 10}}

    def scaffold_form(self):
        form = super().scaffold_form()
        # HR's own agency when left empty (admins choose one)
        form.agency.kwargs["validators"] = [Optional()]
        form.kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="annual")
        form.number = IntegerField(
            _l("Quarter or month"), default=1, validators=[Optional(), NumberRange(1, 12)]
        )
        for name, label in DATE_LABELS.items():
            setattr(form, name, DateField(label, validators=[Optional()]))
        return form

    def create_model(self, form):
        agency = form.agency.data
        agency_id = agency.id if agency is not None else (None if is_admin() else me().agency_id)
        if agency_id is None:
            flash(_("Choose the agency."), "error")
            return False
        dates = {name: form[name].data for name in DATE_LABELS if form[name].data is not None}
        row = self.command(
            lambda: periods.define(
                db.session,
                me(),
                agency_id=agency_id,
                year=form.year.data,
                kind=form.kind.data,
                number=form.number.data or 1,
                via="admin",
                **dates,
            ),
            form,
        )
        return row if row is not None else False

    @action(
        "open",
        _l("Open"),
        _l(
            "Open the selected periods? Every employee without an appraisal for it gets one "
            "(and, for a year, an SKP plan)."
        ),
    )
    def action_open(self, ids):
        for row_id in row_ids(ids):
            if self.get_one(row_id) is None:
                continue
            opening = self.command(
                lambda row_id=row_id: periods.open_period(db.session, me(), row_id, via="admin")
            )
            if opening is None:
                continue
            flash(
                _(
                    "Period #%(id)s: %(made)s appraisals made, %(had)s had one already, "
                    "%(left)s left out.",
                    id=row_id,
                    made=opening.made,
                    had=opening.had_one,
                    left=len(opening.left_out),
                ),
                "success",
            )
            if opening.plans_made or opening.had_plan:
                flash(
                    _(
                        "Period #%(id)s: %(made)s SKP plans made, %(had)s had one already.",
                        id=row_id,
                        made=opening.plans_made,
                        had=opening.had_plan,
                    ),
                    "success",
                )
            if opening.left_out:
                shown = "; ".join(
                    f"{nip}: {LEFT_OUT.get(reason, reason)}"
                    for nip, reason in opening.left_out[:SHOWN_LEFT_OUT]
                )
                flash(_("Left out (no assessor or approver): %(who)s", who=shown), "warning")
