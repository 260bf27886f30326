"""The SKP plan in the back office: its RHK page, the cascade, and its year — realisations
with evidence, and the assessor's feedback.

Nothing here decides anything: every write goes through the engine or
``workflow.realisation``, which check the data and the policy and log the change.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Response, abort, flash, redirect, request
from flask_admin import expose
from flask_admin.helpers import get_form_data
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from admin.access import me
from admin.base import as_id, attempt, columns, expected_version
from admin.forms import (
    ASPECT_LABELS,
    BLANK_RHK_ROWS,
    CORE_VALUE_LABELS,
    INDICATOR_ROWS,
    RHK_KIND_LABELS,
    EvidenceForm,
    FeedbackForm,
    RealisationForm,
    RhkForm,
)
from admin.labels import STATE_LABELS
from admin.refusals import lines
from admin.views.workflows import WorkflowView, badge, core_values, period_label
from workflow import cascade, edit, plans, policy, realisation, rights
from workflow.db import db
from workflow.models import PlanFeedback, Realisation, RhkItem
from workflow.models.base import PERIODS
from workflow.predicate import CoreValue
from workflow.workflows.skp_plan import MAX_INDICATORS, MAX_RHK


class SkpPlanView(WorkflowView):
    workflow = "skp_plan"
    endpoint_name = "admin_skp_plans"
    subject_attr = "employee"
    column_searchable_list = ["employee.name", "employee.nip"]  # see _apply_search
    column_list = ["id", "employee", "state", "year", "assessor", "version"]
    column_details_list = columns(
        "id employee year assessor items expectations state version created_at state_changed_at"
    )
    column_labels = {
        **WorkflowView.column_labels,
        "items": _l("Work results (RHK)"),
        "expectations": _l("Leader's expectations (BerAKHLAK)"),
    }
    column_formatters_detail = {
        **WorkflowView.column_formatters_detail,
        "items": lambda v, c, m, n: rhk_table(v, m),
        "expectations": lambda v, c, m, n: core_values(m, "expectations"),
    }
    column_filters = ["state", "agency_id", "year"]
    create_columns = ["employee", "year", "assessor"]
    edit_columns = ["assessor"]
    official_columns = ("assessor",)
    form_ajax_refs = {
        "employee": {"fields": ["name", "nip"], "page_size": 10},
        "assessor": {"fields": ["name", "nip"], "page_size": 10},
    }

    # -- the plan's year: realisations, evidence, feedback ------------------------------

    def _details_args(self, id) -> dict:
        args = super()._details_args(id)
        record = args.get("record")
        if record is None:
            return args
        if record.state in self.wf.editable and rights.any_holds(
            self.wf.create_who, me(), record
        ):  # the RHK, written on their own page while the plan may be changed
            args["rhk_url"] = self.get_url(".rhk_view", id=record.id)
        args["plan_document_url"] = self.get_url(".document", id=record.id)
        if record.state != plans.AGREED:
            return args
        user = me()
        # Rows not written, for asking the policy who may write one (never added).
        realises = policy.may(
            user, policy.Action.CREATE, Realisation(plan=record, agency_id=record.agency_id)
        )
        assesses = policy.may(
            user, policy.Action.CREATE, PlanFeedback(plan=record, agency_id=record.agency_id)
        )
        done = realisation.realisations(db.session, record)
        args["plan_year"] = {
            "realisations": done,
            "feedback": realisation.feedback(db.session, record),
            "realise_form": _realise_form(record) if realises else None,
            "evidence_form": _evidence_form(done) if realises and done else None,
            "feedback_form": _feedback_form(record) if assesses else None,
            "period_label": lambda p: period_label(record.year, p),
            "core_value_label": lambda v: CORE_VALUE_LABELS.get(v, v),
        }
        return args

    def _back(self, record_id) -> Response:
        return redirect(self.get_url(".details_view", id=record_id) + "#plan-year")

    def _posted(self, form_class):
        form = form_class(get_form_data())
        form.validate()  # the core checks the data; here only the CSRF token counts
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
            return None
        return form

    @expose("/realise/", methods=("POST",))
    def realise_view(self):
        """Record what an RHK achieved in a period (the employee, HR)."""
        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        form = self._posted(RealisationForm)
        if form is not None:
            done = attempt(
                lambda: realisation.record(
                    db.session,
                    me(),
                    as_id(form.rhk_id.data or "") or 0,
                    form.period.data or "",
                    value=form.value.data,
                    narrative=form.narrative.data,
                    via="admin",
                )
            )
            if done is not None:
                flash(_("The realisation was recorded."), "success")
        return self._back(record.id)

    @expose("/evidence/", methods=("POST",))
    def evidence_view(self):
        """Attach a file or a link to a realisation."""
        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        form = self._posted(EvidenceForm)
        if form is not None:
            realisation_id = as_id(form.realisation_id.data or "") or 0
            upload = request.files.get("file")
            url = (form.url.data or "").strip()
            if upload is not None and upload.filename:
                data = upload.read(realisation.evidence_store.MAX_BYTES + 1)
                run = lambda: realisation.attach_file(  # noqa: E731
                    db.session, me(), realisation_id, name=upload.filename, data=data, via="admin"
                )
            else:
                run = lambda: realisation.attach_link(  # noqa: E731
                    db.session, me(), realisation_id, url=url, via="admin"
                )
            if attempt(run) is not None:
                flash(_("The evidence was attached."), "success")
        return self._back(record.id)

    @expose("/evidence/<int:evidence_id>")
    def evidence_file(self, evidence_id: int):
        """An evidence file, for whoever may see its plan."""
        got = attempt(lambda: realisation.read_file(db.session, me(), evidence_id))
        if got is None:
            abort(404)
        row, data = got
        return Response(
            data,
            mimetype=row.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.file_name)}",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @expose("/feedback/", methods=("POST",))
    def feedback_view(self):
        """The assessor's note on one RHK or one BerAKHLAK value."""
        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        form = self._posted(FeedbackForm)
        if form is not None:
            about = form.about.data or ""
            rhk_id = as_id(about.removeprefix("rhk:")) if about.startswith("rhk:") else None
            value = about.removeprefix("value:") if about.startswith("value:") else None
            given_on = _day(form.given_on.data)
            if given_on is False:
                flash(_("The date is not a date (YYYY-MM-DD)."), "error")
                return self._back(record.id)
            done = attempt(
                lambda: realisation.give_feedback(
                    db.session,
                    me(),
                    record.id,
                    note=form.note.data,
                    rhk_id=rhk_id,
                    core_value=value,
                    given_on=given_on,
                    via="admin",
                )
            )
            if done is not None:
                flash(_("The feedback was saved."), "success")
        return self._back(record.id)

    @expose("/document/")
    def document(self):
        """The *Sasaran Kinerja Pegawai* to print and sign (PDF)."""
        from admin import documents

        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        return documents.response(record)

    @expose("/rhk/", methods=("GET", "POST"))
    def rhk_view(self):
        """Write the plan's RHK: each with what it supports and its indicators and targets.

        The engine takes them all at once (an edit of the plan); a refused page comes back
        as typed, each message under the row and field it names.
        """
        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        details = self.get_url(".details_view", id=record.id)
        if record.state not in self.wf.editable:
            flash(
                _(
                    "A record can be changed only while draft or returned; this one is %(state)s.",
                    state=STATE_LABELS.get(record.state, record.state),
                ),
                "error",
            )
            return redirect(details)
        citable = plans.agreed_rhk(db.session, record.assessor_id, record.year)
        if request.method == "POST":
            form = RhkForm(get_form_data())
            _rhk_choices(form, citable)
            form.validate()  # the engine checks the data; here only the CSRF token counts
            if form.csrf_token.errors:
                flash(_("The form has expired; please try again."), "error")
            else:
                items, rows = _posted_rhk(form)
                version = expected_version(form.version_seen.data)
                refused = []
                saved = attempt(
                    lambda: edit(
                        record, me(), {"items": items}, via="admin", expected_version=version
                    ),
                    refused=refused,
                )
                if saved is not None:
                    flash(_("The RHK were saved."), "success")
                    return redirect(details)
                if refused:
                    _rhk_beside(form, rows, refused[0])
        else:
            form = RhkForm(formdata=None, data=_rhk_data(record))
            _rhk_choices(form, citable)
        return self.render(
            "alur_admin/rhk_form.html",
            form=form,
            record=record,
            head=plans.is_agency_head(record.employee),
            details_url=details,
        )

    @expose("/cascade/")
    def cascade_view(self):
        """The cascade through one RHK: the chain above it and the tree below."""
        item_id = as_id(request.args.get("item", ""))
        item = db.session.get(RhkItem, item_id) if item_id is not None else None
        if item is None or not policy.can_see(me(), item):
            abort(404)
        tree = cascade.through(db.session, me(), item)
        return self.render(
            "alur_admin/cascade.html",
            tree=tree,
            item=item,
            kind_labels=RHK_KIND_LABELS,
            plan_url=lambda plan_id: self.get_url(".details_view", id=plan_id),
            cascade_url=lambda rhk_id: self.get_url(".cascade_view", item=rhk_id),
            # the chain above is shown to all who see this RHK; its plans open for their own
            may_open=lambda plan: policy.can_see(me(), plan),
            badge=badge,
        )


def _rhk_data(plan) -> dict:
    """The form's rows: the plan's RHK as written, then blank rows for more."""
    rows = []
    for item in plan.items:
        given = item.indicators if isinstance(item.indicators, list) else []
        indicators = [i for i in given if isinstance(i, dict)][:MAX_INDICATORS]
        blank = {"aspect": "", "indicator": "", "target": ""}
        rows.append(
            {
                "kind": item.kind,
                "text": item.text,
                "parent_id": str(item.parent_id or ""),
                "agency_target": item.agency_target or "",
                "indicators": indicators + [blank] * max(INDICATOR_ROWS - len(indicators), 0),
            }
        )
    empty = {"kind": "utama", "text": "", "parent_id": "", "agency_target": ""}
    rows = rows[:MAX_RHK] + [dict(empty) for _ in range(BLANK_RHK_ROWS)]
    return {"version_seen": plan.version, "items": rows}


def _rhk_choices(form, citable) -> None:
    choices = [("", "—")] + [(str(i.id), f"{i.position + 1}. {i.text}") for i in citable]
    for row in form.items:
        row.form.parent_id.choices = choices


def _posted_rhk(form) -> tuple[list[dict], list[int]]:
    """The RHK as the engine takes them, blank rows left out; and the form row of each."""
    items, rows = [], []
    for index, row in enumerate(form.items):
        r = row.form
        indicators = [
            {
                "aspect": i.form.aspect.data or "",
                "indicator": (i.form.indicator.data or "").strip(),
                "target": (i.form.target.data or "").strip(),
            }
            for i in r.indicators
        ]
        indicators = [i for i in indicators if any(i.values())]
        text = (r.text.data or "").strip()
        target = (r.agency_target.data or "").strip()
        parent = (r.parent_id.data or "").strip()
        if not (text or target or parent or indicators):
            continue
        item = {"kind": r.kind.data or "utama", "text": text, "indicators": indicators}
        if parent:
            item["parent_id"] = as_id(parent) or parent  # the engine refuses what is no id
        if target:
            item["agency_target"] = target
        items.append(item)
        rows.append(index)
    return items, rows


def _rhk_beside(form, rows: list[int], exc) -> None:
    """Each message of a refusal under the row and field it names."""
    errors = getattr(exc, "errors", None) or {}
    by_row = errors.get("items")
    if not isinstance(by_row, dict):
        return  # a refusal of the whole list (too many, a NUL): the flash says it
    for position, fields in by_row.items():
        if not isinstance(fields, dict) or not str(position).isdigit():
            continue
        if int(position) >= len(rows):
            continue
        row = form.items[rows[int(position)]].form
        for name, messages in fields.items():
            if name == "indicators" and isinstance(messages, dict):
                for at, wrong in messages.items():
                    if str(at).isdigit() and int(at) < len(row.indicators):
                        cell = row.indicators[int(at)].form
                        for field, said in wrong.items() if isinstance(wrong, dict) else []:
                            if field in cell:
                                cell[field].errors = [*cell[field].errors, *lines(said)]
            elif name in row:
                row[name].errors = [*row[name].errors, *lines(messages)]


def rhk_table(view, plan) -> Markup:
    """A plan's RHK: what each is, what it supports, its indicators, a link to its cascade."""
    if not plan.items:
        return Markup("—")
    rows = []
    for item in plan.items:
        if item.parent is not None:
            source = _(
                "Supports: %(rhk)s (%(who)s)",
                rhk=item.parent.text,
                who=item.parent.plan.employee.name,
            )
        elif item.agency_target:
            source = _("Agency target: %(target)s", target=item.agency_target)
        else:
            source = ""
        indicators = "".join(
            f"<li>{escape(ASPECT_LABELS.get(i.get('aspect'), i.get('aspect')))}: "
            f"{escape(i.get('indicator', ''))} — {escape(i.get('target', ''))}</li>"
            for i in (item.indicators if isinstance(item.indicators, list) else [])
            if isinstance(i, dict)
        )
        link = view.get_url(".cascade_view", item=item.id)
        rows.append(
            f'<tr id="rhk-{item.id}"><td>{item.position + 1}</td>'
            f"<td>{escape(RHK_KIND_LABELS.get(item.kind, item.kind))}</td>"
            f'<td>{escape(item.text)}<div class="small text-muted">{escape(source)}</div></td>'
            f'<td><ul class="mb-0 pl-3">{indicators}</ul></td>'
            f'<td><a href="{escape(link)}">{escape(_("Cascade"))}</a></td></tr>'
        )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in ("#", _("Kind"), _("Work result (RHK)"), _("Indicators and targets"), "")
    )
    return Markup(
        f'<table class="table table-sm mb-0 rhk-items"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _day(text: str | None):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False


def _rhk_label(item) -> str:
    return f"{item.position + 1}. {item.text}"


def _realise_form(plan) -> RealisationForm:
    form = RealisationForm(formdata=None)
    form.rhk_id.choices = [(str(i.id), _rhk_label(i)) for i in plan.items]
    form.period.choices = [(p, period_label(plan.year, p)) for p in PERIODS]
    return form


def _evidence_form(done) -> EvidenceForm:
    form = EvidenceForm(formdata=None)
    form.realisation_id.choices = [
        (str(r.id), f"{_rhk_label(r.rhk)} · {period_label(r.plan.year, r.period)}") for r in done
    ]
    return form


def _feedback_form(plan) -> FeedbackForm:
    form = FeedbackForm(formdata=None)
    form.about.choices = [(f"rhk:{i.id}", _rhk_label(i)) for i in plan.items] + [
        (f"value:{v.value}", str(CORE_VALUE_LABELS[v.value])) for v in CoreValue
    ]
    return form
