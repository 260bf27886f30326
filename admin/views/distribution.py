"""The spread of predicates in an agency's period, beside its own rating's guidance."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from admin.access import ADMIN_AND_HR, Guarded, me
from admin.base import attempt, describe
from admin.forms import Form
from admin.labels import PERIODS, period_name
from admin.views.home import chosen_agency
from workflow import distribution
from workflow.db import db, is_id, utcnow
from workflow.models import OrganisationPredicate
from workflow.workflows.appraisal import PERIOD_PATTERN

ORGANISATION_LABELS = {
    "Istimewa": _l("Outstanding (Istimewa)"),
    "Baik": _l("Good (Baik)"),
    "Butuh Perbaikan": _l("Needs improvement (Butuh Perbaikan)"),
    "Kurang": _l("Poor (Kurang)"),
    "Sangat Kurang": _l("Very poor (Sangat Kurang)"),
}


class RatingForm(Form):
    agency = HiddenField()
    year = HiddenField()
    period = HiddenField()
    rating = SelectField(
        _l("Organisation's rating"),
        choices=[SelectChoice(r.value, ORGANISATION_LABELS[r]) for r in OrganisationPredicate],
        validate_choice=False,  # the core says what is wrong, in its own words
    )
    note = TextAreaField(_l("Basis (e.g. the decree)"))


def _period(value: str | None) -> str:
    return value if value and PERIOD_PATTERN.match(value) else "annual"


class PredicateDistributionView(Guarded, BaseView):
    """HR for their agency, admins for any: the shares, the guidance, and setting the rating."""

    roles = ADMIN_AND_HR

    @expose("/")
    def index(self):
        year = request.args.get("year", type=int) or utcnow().year
        period = _period(request.args.get("period"))
        agency, agencies = chosen_agency(request.args.get("agency", type=int))
        result, form = None, None
        if agency is not None and 2000 <= year <= 2100:
            result = distribution.report(db.session, agency_id=agency.id, year=year, period=period)
            form = RatingForm(
                formdata=None,
                agency=agency.id,
                year=year,
                period=period,
                rating=result.rating or "Baik",
            )
            form.note.data = result.note
        return self.render(
            "alur_admin/distribution.html",
            year=year,
            period=period,
            agency=agency,
            agencies=agencies,
            result=result,
            form=form,
            labels=ORGANISATION_LABELS,
            periods=[(code, period_name(code)) for code in PERIODS],
            period_name=period_name,
        )

    @expose("/rate", methods=["POST"])
    def rate(self):
        form = RatingForm(request.form)
        form.validate()
        agency = request.form.get("agency", type=int)
        year = request.form.get("year", type=int)
        period = request.form.get("period", "")
        back = self.get_url(".index", agency=agency, year=year, period=_period(period))
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
            return redirect(back)
        if not agency or not year or not is_id(agency):
            flash(_("Choose an agency and a year."), "error")
            return redirect(back)
        saved = attempt(
            lambda: distribution.set_rating(
                db.session,
                me(),
                agency_id=agency,
                year=year,
                period=period,
                rating=form.rating.data or "",
                note=(form.note.data or "").strip() or None,
                via="admin",
            ),
            saying=lambda exc: _("Not saved: %(why)s", why=describe(exc)),
        )
        if saved is None:
            return redirect(back)
        flash(_("The organisation's rating is saved."), "success")
        return redirect(back)
