"""Back-office views of the workflows: lists, forms and buttons over the engine.

Nothing here decides anything: creating, editing and every step go through
``workflow.engine`` (``via="admin"``), which checks rights and rules and
writes the audit row; refusals come back as flash messages.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_form_data
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import Optional

from admin import diagram
from admin.access import STAFF, me
from admin.base import (
    AlurModelView,
    as_core,
    as_id,
    attempt,
    columns,
    describe,
    expected_version,
    local_time,
    row_ids,
    safe_next,
)
from admin.forms import (
    CORE_VALUE_LABELS,
    FIELD_LABELS,
    RATING_LABELS,
    TriggerForm,
    payload_fields,
    payload_value,
    trigger_form_class,
)
from admin.labels import BADGES, STATE_LABELS, TITLES, TRIGGER_LABELS
from admin.refusals import lines
from workflow import (
    Step,
    allowed_triggers,
    audit,
    create,
    edit,
    policy,
    realisation,
    rights,
    take,
    take_many,
    verification,
)
from workflow.db import MAX_ID, db, utcnow
from workflow.errors import NotFound
from workflow.models import Appraisal, Employee, RoleName, TrainingNomination
from workflow.predicate import CURRENT_RULE, MATRICES
from workflow.reference import employee_search
from workflow.workflows import WORKFLOWS
from workflow.workflows import appraisal as appraisal_workflow


def period_label(year: int, period: str) -> str:
    """An appraisal's period as people say it: *Tahunan 2025*, *Triwulan II 2025*, *Maret 2025*."""
    if period == "annual":
        return _("Annual %(year)s", year=year)
    if period in ("Q1", "Q2", "Q3", "Q4"):
        roman = ("I", "II", "III", "IV")[int(period[1]) - 1]
        return _("Quarter %(quarter)s %(year)s", quarter=roman, year=year)
    if period.startswith("M") and period[1:].isdigit() and 1 <= int(period[1:]) <= 12:
        return format_date(date(year, int(period[1:]), 1), "MMMM y")
    return f"{period} {year}"


def record_label(record) -> str:
    """Who a record is about and what: the employee's name and NIP, then the program and its
    start, the period, or the mentor (as the people who work with it name it)."""
    person = getattr(record, "employee", None) or getattr(record, "mentee", None)
    who = f"{person.name} (NIP {person.nip})" if person is not None else "—"
    if isinstance(record, TrainingNomination):
        what = f"{record.program.name}, {format_date(record.program.start_date, 'd MMM y')}"
    elif isinstance(record, Appraisal):
        what = period_label(record.year, record.period)
    else:
        what = _("mentor %(name)s", name=record.mentor.name)
    return f"{who} · {what}"


def badge(state: str) -> Markup:
    """The state as a coloured badge."""
    label = STATE_LABELS.get(state, state)
    return Markup(
        f'<span class="badge badge-{BADGES.get(state, "secondary")} state-badge" '
        f'data-state="{escape(state)}">{escape(label)}</span>'
    )


def core_values(record, attribute: str = "behaviour_feedback") -> Markup:
    """The behaviour feedback (or the leader's expectations), a line per BerAKHLAK value."""
    notes = getattr(record, attribute)
    if not notes or not isinstance(notes, dict):  # none, or a row edited by hand
        return Markup("—")
    items = "".join(
        f"<dt>{escape(CORE_VALUE_LABELS.get(key, key))}</dt><dd>{escape(text)}</dd>"
        for key, text in notes.items()
    )
    return Markup(f'<dl class="mb-0 core-values">{items}</dl>')


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger.capitalize()))


class WorkflowView(AlurModelView):
    """One workflow's records: list, details with steps, history and diagram."""

    workflow: str
    subject_attr: str  # the relationship to the employee the record is about
    create_columns: list[str]
    edit_columns: list[str]
    # Who acts on the record, from the org chart: shown only to those who may name
    # others (the agency's HR officers, admins), with a reason; the engine decides.
    official_columns: tuple[str, ...] = ()
    roles = STAFF
    edit_roles = STAFF  # the engine decides who may create and edit what

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        # Offered to those who, by role, create such records at all (an employee never
        # makes a mentoring assignment); the engine decides each one.
        return self.is_accessible() and rights.may_ever_create(WORKFLOWS[self.workflow], me())

    can_edit = can_create  # an edit is asked of the same parties
    can_delete = False
    list_template = "alur_admin/workflow_list.html"
    details_template = "alur_admin/workflow_details.html"
    column_filters = ["state", "agency_id"]
    column_formatters = {"state": lambda v, c, m, n: badge(m.state)}
    # Codes read by their names on the record's page (the state by its label).
    column_formatters_detail = {"state": lambda v, c, m, n: STATE_LABELS.get(m.state, m.state)}
    column_formatters_export = {}
    column_labels = {
        "state": _l("State"),
        "version": _l("Version"),
        "state_changed_at": _l("Since"),
        "created_at": _l("Created"),
        "employee": _l("Employee"),
        "program": _l("Program"),
        "mentor": _l("Mentor"),
        "mentee": _l("Mentee"),
        "assessor": _l("Assessor"),
        "approver": _l("Approver"),
        "year": _l("Year"),
        "period": _l("Period"),
        "predicate": _l("Predikat"),
        "predicate_rule": _l("Predicate rule"),
        "justification": _l("Justification"),
        "goals": _l("Goals"),
        "agency_id": _l("Agency"),
        **FIELD_LABELS,
    }

    def search_placeholder(self) -> str:
        # The search finds the person a record is about (see _apply_search).
        return _("Employee's name or NIP")

    def __init__(self, **kwargs):
        self._export_people()
        super().__init__(WORKFLOWS[self.workflow].model, **kwargs)

    def _export_people(self) -> None:
        """Exports as a spreadsheet reads them: each person's name, then their NIP in a column
        of its own; states by their labels, periods as people say them."""
        model = WORKFLOWS[self.workflow].model
        people = [c for c in self.column_list if c in PEOPLE and hasattr(model, c)]
        exported, formatters, labels = [], {}, dict(self.column_labels)
        for column in self.column_list:
            exported.append(column)
            if column in people:
                exported.append(f"{column}_nip")
                formatters[column] = _person(column, "name")
                formatters[f"{column}_nip"] = _person(column, "nip")
                labels[f"{column}_nip"] = _l("NIP (%(who)s)", who=labels.get(column, column))
        formatters["state"] = lambda v, c, m, n: str(STATE_LABELS.get(m.state, m.state))
        if "period" in self.column_list:
            formatters["period"] = lambda v, c, m, n: period_label(m.year, m.period)
        self.column_export_list = exported
        self.column_formatters_export = formatters
        self.column_labels = labels

    @property
    def wf(self):
        return WORKFLOWS[self.workflow]

    def get_sortable_columns(self):
        columns = super().get_sortable_columns()
        if "state" in columns:
            # Within a state, by how long the records have been in it: the order of the
            # (state, state_changed_at) index, so a national list sorts without a sort.
            columns["state"] = [self.model.state, self.model.state_changed_at]
            self._sortable_joins["state"] = [[], []]
        return columns

    # -- what the user may see ------------------------------------------------------

    def _visible(self, query):
        clause = policy.scope(me(), self.model)
        return query if clause is None else query.filter(clause)

    def _apply_search(self, query, count_query, joins, count_joins, search):
        # Whom the record is about, by the first digits of their NIP or the words of their
        # name (reference.employee_search, on the employees' indexes).
        about = select(Employee.id).where(employee_search(search))
        where = self.model.subject_id.in_(about)
        count_query = None if count_query is None else count_query.filter(where)
        return query.filter(where), count_query, joins, count_joins

    def get_query(self):
        return self._visible(super().get_query())

    def get_count_query(self):
        return self._visible(super().get_count_query())

    def get_one(self, id):
        record_id = as_id(id)
        if record_id is None:
            return None  # not an id at all: "not found", not a database error
        stmt = select(self.model).where(self.model.id == record_id)
        clause = policy.scope(me(), self.model)
        if clause is not None:
            stmt = stmt.where(clause)
        return db.session.scalar(stmt)

    # -- forms: the engine creates and edits ----------------------------------------

    def _form_of(self, columns):
        saved = self.form_columns
        self.form_columns = columns
        try:
            return self.scaffold_form()
        finally:
            self.form_columns = saved

    # One form class per (form, who): built once with the view, as Flask-Admin caches its own.
    LEVELS = ("admin", "hr_officer", "staff")

    def _level(self) -> str:
        user = me()
        if user.has_role(RoleName.ADMIN):
            return "admin"
        return "hr_officer" if user.has_role(RoleName.HR_OFFICER) else "staff"

    def _form_for(self, columns: list[str], level: str, *, edit: bool):
        if level == "staff":
            columns = [c for c in columns if c not in self.official_columns]
        if not columns:  # nothing to change (Flask-Admin would take every column)
            return type(
                f"{self.workflow}_nothing_form",
                (self.form_base_class,),
                {"version_seen": HiddenField()} if edit else {},
            )
        form = self._form_of(columns)
        for name in self.official_columns:
            if name in columns:  # blank: the engine takes the official from the org chart
                field = getattr(form, name)
                field.kwargs["validators"] = [Optional()]
        if self.official_columns and level != "staff":
            form.reason = TextAreaField(_l("Reason for naming the officials"))
            if level == "admin":
                form.cross_agency = BooleanField(_l("Officials of another agency"))
        if edit:
            form.version_seen = HiddenField()
        return form

    def _refresh_forms_cache(self) -> None:
        super()._refresh_forms_cache()
        self._forms = {
            (edit, level): self._form_for(
                self.edit_columns if edit else self.create_columns, level, edit=edit
            )
            for edit in (False, True)
            for level in self.LEVELS
        }

    def get_create_form(self):
        return self._form_of(self.create_columns)

    def get_edit_form(self):
        form = self._form_of(self.edit_columns)
        form.version_seen = HiddenField()
        return form

    def create_form(self, obj=None):
        return self._forms[False, self._level()](get_form_data(), obj=obj)

    def edit_form(self, obj=None):
        return self._forms[True, self._level()](get_form_data(), obj=obj)

    def on_form_prefill(self, form, id):
        record = self.get_one(id)
        if record is not None:
            form.version_seen.data = record.version

    def _data(self, form, columns) -> dict:
        data = {}
        for name in [*columns, "reason", "cross_agency"]:
            if not hasattr(form, name):
                continue
            key, value = as_core(name, getattr(form, name).data)
            if value not in (None, "", False):  # blanks are left to the schema's defaults
                data[key] = value.isoformat() if hasattr(value, "isoformat") else value
        return data | self._forged(form)

    def _forged(self, form) -> dict:
        """Officials posted though the form lacks them: passed on for the engine to refuse."""
        forged = {}
        for name in self.official_columns:
            raw = request.form.get(name)
            if raw not in (None, "") and not hasattr(form, name):
                forged[f"{name}_id"] = int(raw) if raw.isdigit() and len(raw) < 10 else raw
        return forged

    def create_model(self, form):
        data = self._data(form, self.create_columns)
        record = self.command(lambda: create(db.session, self.workflow, me(), data, via="admin"))
        return record if record is not None else False

    def update_model(self, form, model):
        seen = form.version_seen.data
        # the form is filled with the record's people: only those changed are named anew
        data = {
            k: v
            for k, v in self._data(form, self.edit_columns).items()
            if not (k.endswith("_id") and getattr(model, k, None) == v)
        }
        version = expected_version(seen)
        saved = self.command(lambda: edit(model, me(), data, via="admin", expected_version=version))
        return saved is not None

    # -- steps ----------------------------------------------------------------------

    def actions_for(self, record) -> list:
        """(trigger, label, form) for each step the user may take on ``record`` now."""
        forms = []
        for allowed in allowed_triggers(record, me()):
            form = trigger_form_class(self.workflow, allowed.trigger)(
                formdata=None, trigger=allowed.trigger, version=record.version
            )
            forms.append((allowed, trigger_label(allowed.trigger), form))
        return forms

    def one_click(self, allowed) -> bool:
        """Whether a step can be taken from a list without more input."""
        return not allowed.needs_comment and not allowed.required

    @expose(f"/fire/<int(max={MAX_ID}):record_id>", methods=["POST"])
    def fire_view(self, record_id: int):
        """Take one step on one record (a POST with the CSRF token)."""
        details = self.get_url(".details_view", id=record_id)
        back = safe_next(request.form.get("next"), details)
        trigger = request.form.get("trigger", "")
        if trigger not in self.wf.triggers:
            flash(_("Unknown step."), "error")
            return redirect(back)
        form = trigger_form_class(self.workflow, trigger)(request.form)
        form.validate()  # the engine checks the data; here only the CSRF token counts
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
            return redirect(back)
        record = self.get_one(record_id)
        if record is None:
            flash(_("Record does not exist."), "error")
            return redirect(self.get_url(".index_view"))
        values = {
            name: payload_value(getattr(form, name).data)
            for name in payload_fields(self.workflow, trigger)
        }
        payload = {name: value for name, value in values.items() if value is not None}
        version = form.version.data
        step = Step(
            self.workflow,
            record.id,
            trigger,
            me(),
            "admin",
            form.comment.data,
            payload or None,
            expected_version(version),
        )
        refused = []
        record = attempt(lambda: take(db.session, step), refused=refused)
        if record is None:
            if refused and back == details:
                return self._refused_step(record_id, form, refused[0])
            return redirect(back)
        flash(
            _(
                "%(what)s %(id)s: %(step)s done, now %(state)s.",
                what=TITLES[self.workflow],
                id=record.id,
                step=trigger_label(trigger),
                state=STATE_LABELS.get(record.state, record.state),
            ),
            "success",
        )
        return redirect(back)

    def _refused_step(self, record_id: int, form, exc):
        """The record's page again, the refused step's form holding what was sent and each
        refusal beside its field: nothing typed is lost (answered 200, as Flask-Admin's own
        forms are when refused)."""
        args = self._details_args(record_id)
        if not args:
            return redirect(self.get_url(".index_view"))
        # Each refusal by the field it names (``data.feedback`` is the form's ``feedback``).
        form.refusals = {
            name.split(".")[-1]: lines(messages)
            for name, messages in (getattr(exc, "errors", None) or {}).items()
        }
        # The page shows the record as it is now; the form goes with it (a step refused as
        # stale is taken again, if at all, on what the user now sees).
        form.version.data = args["record"].version
        trigger = form.trigger.data
        args["steps"] = [
            (allowed, label, form if allowed.trigger == trigger else fresh)
            for allowed, label, fresh in args["steps"]
        ]
        self._template_args.update(args)
        page = self.render(
            self.details_template,
            model=args["record"],
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=self.get_url(".index_view"),
        )
        return page

    def _bulk(self, trigger: str, ids) -> None:
        comment = (request.form.get("comment") or "").strip() or None
        ids = list(ids)
        valid = row_ids(ids)
        # In batches, as the API does: a supervisor approving dozens waits for one of them.
        user = me()
        many = [Step(self.workflow, i, trigger, user, "admin", comment) for i in valid]
        outcomes = iter(take_many(db.session, many))
        done, failed = [], []
        for raw in ids:
            outcome = next(outcomes) if as_id(raw) is not None else None
            if outcome is None or isinstance(outcome.error, NotFound):
                failed.append(f"#{raw}: " + _("Record does not exist."))
            elif outcome.error is not None:
                # Not NotFound: the record is the user's to see, so it may be named.
                seen = self.get_one(raw)
                named = f"#{raw} {record_label(seen)}" if seen is not None else f"#{raw}"
                failed.append(f"{named}: {describe(outcome.error)}")
            else:
                done.append(f"#{raw} {record_label(outcome.record)}")
        if done:
            flash(
                _(
                    "%(step)s done for %(n)d: %(ids)s",
                    step=trigger_label(trigger),
                    n=len(done),
                    ids=", ".join(done),
                ),
                "success",
            )
        for line in failed:
            flash(_("Not done: %(why)s", why=line), "error")

    @action("approve", _l("Approve selected"), _l("Approve the selected records?"))
    def action_approve(self, ids):
        self._bulk("approve", ids)

    @action("return", _l("Return selected (give a reason)"), _l("Return the selected records?"))
    def action_return(self, ids):
        self._bulk("return", ids)

    @action("reject", _l("Reject selected (give a reason)"), _l("Reject the selected records?"))
    def action_reject(self, ids):
        self._bulk("reject", ids)

    def is_action_allowed(self, name):
        # Deciding on many records at once is the work of those who decide on others' records:
        # a plain employee is never shown it (a step named to them stays on the record's page).
        deciders = (RoleName.ADMIN, RoleName.HR_OFFICER, RoleName.SUPERVISOR)
        if not any(me().has_role(role) for role in deciders):
            return False
        return name in self.wf.triggers and super().is_action_allowed(name)

    # -- details --------------------------------------------------------------------

    @expose("/details/")
    def details_view(self):
        self._template_args.update(self._details_args(request.args.get("id")))
        return super().details_view()

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        record = self.get_one(request.args.get("id"))
        if record is not None and record.state not in self.wf.editable:
            flash(
                _(
                    "A record can be changed only while draft or returned; this one is %(state)s.",
                    state=STATE_LABELS.get(record.state, record.state),
                ),
                "error",
            )
            return redirect(self.get_url(".details_view", id=record.id))
        return super().edit_view()

    def _details_args(self, id) -> dict:
        record = self.get_one(id)
        if record is None:
            return {}
        return {
            "record": record,
            "steps": self.actions_for(record),
            "history": audit.history(db.session, record),
            # A record's chain is short: checking it on every view costs two small reads.
            "chain_problems": verification.verify_record(db.session, self.workflow, record.id),
            "diagram": diagram.svg(self.workflow, record.state, _diagram_labels(self.wf)),
            "edges": [(t.trigger, list(t.source), t.dest) for t in self.wf.transitions],
            "badge": badge,
            "trigger_label": trigger_label,
            "predicate_matrix": _matrix() if self.workflow == "appraisal" else None,
            # the document to print and sign, with the check of its QR code
            "document_url": (
                self.get_url(".document", id=record.id)
                if self.workflow == "appraisal" and record.audit_seq
                else None
            ),
        }

    def list_actions(self, rows) -> dict:
        """Per listed record: its steps, for the row buttons."""
        return {row.id: self.actions_for(row) for row in rows}

    def render(self, template, **kwargs):
        if template == self.list_template and "data" in kwargs:
            kwargs["row_steps"] = self.list_actions(kwargs["data"])
            kwargs["one_click"] = self.one_click
            kwargs["editable_states"] = {str(s) for s in self.wf.editable}
        kwargs.setdefault("trigger_form", TriggerForm)
        return super().render(template, **kwargs)


def _matrix() -> dict:
    return {f"{w}|{b}": str(p.value) for (w, b), p in MATRICES[CURRENT_RULE].items()}


class TrainingNominationView(WorkflowView):
    workflow = "training_nomination"
    endpoint_name = "admin_training_nominations"
    subject_attr = "employee"
    column_searchable_list = ["employee.name", "employee.nip"]  # see _apply_search
    column_list = ["id", "employee", "state", "program", "state_changed_at", "version"]
    column_details_list = columns(
        "id employee program justification state version created_at state_changed_at reviewed_by"
    )
    column_filters = ["state", "agency_id", "program_id"]
    create_columns = ["employee", "program", "justification"]
    edit_columns = ["justification"]
    form_ajax_refs = {
        "employee": {"fields": ["name", "nip"], "page_size": 10},
        "program": {"fields": ["name", "code"], "page_size": 10},
    }


class MentoringAssignmentView(WorkflowView):
    workflow = "mentoring_assignment"
    endpoint_name = "admin_mentoring_assignments"
    subject_attr = "mentee"
    column_searchable_list = ["mentee.name", "mentee.nip"]  # see _apply_search
    column_list = ["id", "mentee", "state", "mentor", "start_date", "end_date", "jp", "version"]
    column_details_list = columns(
        "id mentee mentor goals start_date end_date jp state version created_at state_changed_at"
    )
    create_columns = ["mentor", "mentee", "goals", "start_date", "end_date", "jp"]
    edit_columns = ["goals", "start_date", "end_date", "jp"]
    form_ajax_refs = {
        "mentor": {"fields": ["name", "nip"], "page_size": 10},
        "mentee": {"fields": ["name", "nip"], "page_size": 10},
    }


class AppraisalView(WorkflowView):
    workflow = "appraisal"
    endpoint_name = "admin_appraisals"

    def _details_args(self, id) -> dict:
        args = super()._details_args(id)
        record = args.get("record")
        if record is not None:  # beside the rating fields: what the rating rests on
            found = realisation.basis(db.session, record)
            args["evaluation_basis"] = {
                "plan": found.plan,
                "plan_url": (
                    self.get_url("admin_skp_plans.details_view", id=found.plan.id)
                    if found.plan is not None
                    else None
                ),
                "rows": found.rows,
                "feedback": found.feedback,
                "periodic": found.periodic,
                "period_label": lambda p: period_label(record.year, p),
                "core_value_label": lambda v: CORE_VALUE_LABELS.get(v, v),
            }
        return args

    @expose("/document/")
    def document(self):
        """The *Dokumen Evaluasi Kinerja Pegawai* to print and sign (PDF)."""
        from admin import documents

        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        return documents.response(record)

    subject_attr = "employee"
    column_searchable_list = ["employee.name", "employee.nip"]  # see _apply_search
    column_list = ["id", "employee", "state", "year", "period", "assessor", "predicate", "version"]
    column_details_list = columns(
        "id employee year period assessor approver self_assessment work_result_rating "
        "behaviour_rating behaviour_feedback feedback predicate predicate_rule objection state "
        "version created_at state_changed_at"
    )
    column_labels = {**WorkflowView.column_labels, "objection": _l("Objection (keberatan)")}
    column_formatters = {
        **WorkflowView.column_formatters,
        "period": lambda v, c, m, n: period_label(m.year, m.period),
    }
    column_formatters_detail = {
        **WorkflowView.column_formatters_detail,
        "behaviour_feedback": lambda v, c, m, n: core_values(m),
        "period": lambda v, c, m, n: period_label(m.year, m.period),
        "work_result_rating": lambda v, c, m, n: _rating(m.work_result_rating),
        "behaviour_rating": lambda v, c, m, n: _rating(m.behaviour_rating),
        "objection": lambda v, c, m, n: _objection(m),
        "predicate_rule": lambda v, c, m, n: RULE_LABELS.get(m.predicate_rule, m.predicate_rule),
    }
    column_filters = ["state", "agency_id", "year", "period", "predicate"]
    create_columns = ["employee", "year", "period", "assessor", "approver"]
    edit_columns = ["assessor", "approver"]
    official_columns = ("assessor", "approver")
    form_ajax_refs = {
        "employee": {"fields": ["name", "nip"], "page_size": 10},
        "assessor": {"fields": ["name", "nip"], "page_size": 10},
        "approver": {"fields": ["name", "nip"], "page_size": 10},
    }


# The columns that name an employee: exported as a name and a NIP.
PEOPLE = ("employee", "mentee", "mentor", "assessor", "approver")


def _person(column: str, attribute: str):
    def value(view, context, model, name):
        person = getattr(model, column)
        return getattr(person, attribute) if person is not None else ""

    return value


# The regulation whose matrix gave a predikat, as it is cited.
RULE_LABELS = {"permenpanrb-6-2022": "PermenPANRB 6/2022"}


def _objection(record) -> str:
    """What the employee may still do about the predikat, or why they objected."""
    if record.state == "appealed":
        reason = appraisal_workflow.appeal_reason(db.session, record)
        return _("Objected: %(reason)s", reason=reason or "—")
    deadline = appraisal_workflow.appeal_deadline(record)
    if deadline is None:
        return "—"
    if deadline < utcnow():
        return _("The time to object ended %(time)s.", time=local_time(deadline))
    return _("The employee may object until %(time)s.", time=local_time(deadline))


def _rating(value: str | None) -> str:
    return str(RATING_LABELS.get(value, value)) if value else ""


def _diagram_labels(wf) -> tuple[tuple[str, str], ...]:
    """The workflow's states and triggers by their labels, in the user's language."""
    states = {s.value: str(STATE_LABELS.get(s.value, s.value)) for s in wf.states}
    triggers = {t: str(trigger_label(t)) for t in wf.triggers}
    return tuple(sorted({**states, **triggers}.items()))
