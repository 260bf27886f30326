"""The model view every back-office list shares: guarded, scoped to the user's agency, fast."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from flask import Response, flash
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.model import typefmt
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Integer
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from admin.access import ADMIN_AND_HR, Guarded, is_admin, me
from admin.forms import Form
from admin.refusals import lines
from admin.refusals import say as describe
from workflow import WorkflowError, changes, policy, zones
from workflow.db import MAX_ID, db, replica_reads
from workflow.models import Employee
from workflow.reference import employee_search


class ScopedLoader(QueryAjaxModelLoader):
    """Foreign-key lookups offer only rows of the user's agency (all, to admins).

    An employee is looked up as the employee list searches (NIP start or name words,
    each on an index), since a lookup runs on every pause in typing.
    """

    def get_query(self):
        query = super().get_query()
        if not is_admin() and hasattr(self.model, "agency_id"):
            query = query.filter(self.model.agency_id == me().agency_id)
        return query

    def get_list(self, term, offset=0, limit=DEFAULT_PAGE_SIZE):
        if self.model is not Employee:
            return super().get_list(term, offset, limit)
        query = self.get_query().filter(employee_search(term)).order_by(Employee.id)
        return query.offset(offset).limit(limit).all()


# ASCII digits: str.isdigit() also takes "²" (which int() refuses) and "٣" (which it reads).
_ID = re.compile(r"[0-9]{1,10}")
# A list's pages: past this the offset means nothing (and 10^20 overflows the database).
MAX_PAGE = 1_000_000
MAX_SEARCH = 200
# What a database column can compare with: SQLite refuses larger integers (OverflowError).
MAX_INT = 2**63 - 1


# What Excel and LibreOffice take for the start of a formula, in CSV and XLSX alike.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """Text for a cell a spreadsheet shows and never runs (see ``get_export_value``)."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def as_id(raw) -> int | None:
    """``raw`` as a row id (0..2^31-1), or None if it cannot be one."""
    text = str(raw)
    return int(text) if _ID.fullmatch(text) and int(text) <= MAX_ID else None


def expected_version(raw) -> int | None:
    """The version a form says its user saw: None if it names none, -1 (stale) if garbled."""
    if raw is None or str(raw).strip() == "":
        return None
    version = as_id(str(raw).strip())
    return -1 if version is None else version


def row_ids(raw_ids) -> list[int]:
    """The row ids of a bulk action that can be ids at all (a forged form may send anything)."""
    return [i for i in map(as_id, raw_ids) if i is not None]


def _storable(value) -> bool:
    """Whether a filter's cleaned value can go to the database as it is."""
    if isinstance(value, str):
        return "\x00" not in value  # PostgreSQL refuses NUL in text
    if isinstance(value, int):
        return -MAX_INT <= value <= MAX_INT
    if isinstance(value, list | tuple):
        return all(map(_storable, value))
    return True


def safe_next(url: str | None, fallback: str) -> str:
    """``url`` if it is a path on this site, else ``fallback`` (no open redirects).

    Browsers drop tabs and newlines and read ``\\`` as ``/``, so ``/<TAB>/evil`` is
    ``//evil``: only printable ASCII without backslashes is taken, and what urllib
    parses must have no scheme or host.
    """
    if not url or len(url) > 2048 or not _SAFE_PATH.fullmatch(url) or url.startswith("//"):
        return fallback
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return fallback
    path = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return fallback if path.startswith("//") else path


_SAFE_PATH = re.compile(r"/[!-\[\]-~]*")  # printable ASCII, no space, no backslash


# The zones' own abbreviations, in every language (as the clock on the wall says them).
ZONE_NAMES = {zones.WIB: "WIB", zones.WITA: "WITA", zones.WIT: "WIT"}


def local_time(value: datetime | None) -> str:
    """A moment as the user reads it: in their agency's zone, ``4 Des 2026 12.59 WIB``."""
    if value is None:
        return ""
    zone = str(get_timezone())
    return f"{format_datetime(value, 'd MMM y HH.mm')} {ZONE_NAMES.get(zone, zone)}"


def _local_time(view, value, name=None) -> str:
    return local_time(value)


def _listed(view, value, name=None) -> str:
    return ", ".join(map(str, value))


def _yes_no(view, value, name=None) -> Markup:
    """A yes or no in words (Flask-Admin's icon says *active: true* to a screen reader)."""
    said = escape(_("Yes") if value else _("No"))
    return Markup(f'<span class="yes-no" data-value="{str(value).lower()}">{said}</span>')


def _as_json(view, value, name=None) -> Markup:
    """A document (an event's body, a step's data) as the programs that read it see it."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return Markup(f'<pre class="mb-0"><code>{escape(text)}</code></pre>')


def as_code(view, context, row, name) -> Markup:
    """A technical name (an event type, as other programs read it), shown as code."""
    value = getattr(row, name)
    return Markup(f"<code>{escape(value)}</code>") if value else Markup("")


TYPE_FORMATTERS = {
    **typefmt.BASE_FORMATTERS,
    datetime: _local_time,
    list: _listed,
    bool: _yes_no,
}
DETAIL_FORMATTERS = {
    **typefmt.DETAIL_FORMATTERS,
    datetime: _local_time,
    list: _listed,
    bool: _yes_no,
    dict: _as_json,
}


# Labels of the columns the models share, so every list and form speaks the UI's language.
LABELS = {
    "id": "ID",
    "code": _l("Code"),
    "name": _l("Name"),
    "province": _l("Province"),
    "region": _l("Region"),
    "agency": _l("Agency"),
    "agency_id": _l("Agency"),
    "unit": _l("Work unit"),
    "parent": _l("Parent unit"),
    "nip": "NIP",
    "status": _l("Status"),
    "rank": _l("Rank (golongan)"),
    "position": _l("Position (jabatan)"),
    "supervisor": _l("Supervisor (atasan langsung)"),
    "year": _l("Year"),
    "amount": _l("Amount"),
    "committed": _l("Committed"),
    "email": _l("Email"),
    "active": _l("Active"),
    "roles": _l("Roles"),
    "employee": _l("Employee"),
    "user": _l("User"),
    "created_at": _l("Created"),
    "description": _l("Description"),
    "form": _l("Form"),
    "delivery_mode": _l("Delivery mode"),
    "organiser": _l("Organiser"),
    "jp": "JP",
    "start_date": _l("Start"),
    "end_date": _l("End"),
    "seat_quota": _l("Seats"),
    "seats_taken": _l("Seats taken"),
    "cost_per_participant": _l("Cost per participant"),
    "source": _l("Source"),
    "note": _l("Note"),
    "grants": _l("Grants"),
    "url": "URL",
    "event_types": _l("Event types"),
    "disabled_reason": _l("Why disabled"),
    "attempts": _l("Attempts"),
    "subscription": _l("Subscription"),
    "next_attempt_at": _l("Next attempt"),
    "delivered_at": _l("Delivered"),
    "last_status": _l("Last answer"),
    "received_at": _l("Received"),
    "outcome": _l("Outcome"),
    "reason": _l("Reason"),
    "error": _l("Error"),
    "type": _l("Type"),
    "record_id": _l("Record"),
    "client_name": _l("Client"),
    "workflow": _l("Workflow"),
    "trigger": _l("Step"),
    "from_state": _l("From"),
    "comment": _l("Comment"),
    "payload": _l("Data"),
    "state": _l("State"),
    "kind": _l("Kind"),
    "to_state": _l("To"),
    "via": _l("Via"),
    "actor": _l("Who"),
    "seq": "#",
    "prefix": _l("Prefix"),
    "expires_at": _l("Expires"),
    "revoked_at": _l("Revoked"),
    "dispatched_at": _l("Fanned out"),
}


class AlurModelView(Guarded, ModelView):
    """Logged-in staff only; lists without counts; CSRF on every form.

    What a user sees of the model — in lists, exports, details and edits alike — is
    what the policy lets them see (``workflow.policy.scope`` and ``can_see``).
    """

    roles = ADMIN_AND_HR
    form_base_class = Form
    simple_list_pager = True  # no SELECT count(*) over millions of rows
    page_size = 20
    can_set_page_size = True
    can_view_details = True
    can_export = True
    export_types = ["csv", "xlsx"]
    export_max_rows = 50_000
    column_display_pk = True
    column_default_sort = ("id", True)
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    edit_roles: frozenset[str] = frozenset({"admin"})

    def __init__(self, model, **kwargs):
        self.column_labels = {**LABELS, **(self.column_labels or {})}
        super().__init__(model, db, **kwargs)

    def scaffold_auto_joins(self) -> list:
        # The related rows a list shows come by a second query (get_list): joined into
        # the sorted one, PostgreSQL joined every row of the table before sorting.
        return []

    def _get_list_extra_args(self):
        """The list's page, search and filters, with values no query can take left out.

        Flask-Admin reads them with ``int()`` and passes them on: a page of 10^20, a
        negative one, a NUL in the search or an integer filter past 64 bits reached the
        database as errors (500s). Each is dropped with a flash, and the list shown.
        """
        args = super()._get_list_extra_args()
        if not 0 <= (args.page or 0) <= MAX_PAGE:
            flash(_("That page does not exist; the first page is shown."), "error")
            args.page = 0
        if args.search and ("\x00" in args.search or len(args.search) > MAX_SEARCH):
            limit = _("The search may hold up to %(n)s characters, without NUL.", n=MAX_SEARCH)
            flash(limit, "error")
            args.search = None
        if args.filters:
            args.filters = [f for f in args.filters if self._filter_storable(f)]
        return args

    def _filter_storable(self, active) -> bool:
        idx, _name, value = active
        try:
            storable = _storable(self._filters[idx].clean(value))
        except (ValueError, TypeError, OverflowError):
            storable = False
        if not storable:
            flash(self.get_invalid_value_msg(value[:40], self._filters[idx]), "error")
        return storable

    def get_list(self, *args, execute=True, **kwargs):
        """The page's rows, and the related rows they show loaded in one more query each."""
        count, query = super().get_list(*args, execute=False, **kwargs)
        query = query.options(*map(selectinload, super().scaffold_auto_joins()))
        return count, (query.all() if execute else query)

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        if sort_column is not None and sort_column != self._primary_key:
            # Rows tied on the sorted column (all of a year) keep one order from page to
            # page; without it a page could repeat rows of the one before.
            key = getattr(self.model, self._primary_key)
            query = query.order_by(key.desc() if sort_desc else key)
        return query, joins

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    def _may_edit(self) -> bool:
        return bool(self.edit_roles & me().role_names) if self.is_accessible() else False

    def _scope(self, query):
        clause = policy.scope(me(), self.model)
        return query if clause is None else query.filter(clause)

    def get_query(self):
        return self._scope(super().get_query())

    def get_count_query(self):
        return self._scope(super().get_count_query())

    def get_one(self, id):
        key = self.model.__mapper__.primary_key[0]
        if isinstance(key.type, Integer) and as_id(id) is None:
            return None  # not an id at all: "not found", not a database error
        row = super().get_one(str(id))  # Flask-Admin decodes the key as text
        return row if row is not None and policy.can_see(me(), row) else None

    # -- writes: every one a command of the core (``workflow.changes``) ----------------

    can_delete = False  # a view whose rows may be deleted says so; it deletes by the command

    def form_values(self, form) -> dict:
        """The form's data as the core takes it: a related row becomes ``<name>_id``."""
        values = {}
        for field in form:
            if field.name == "csrf_token":
                continue
            if field.data is None and field.type in ("QuerySelectField", "AjaxSelectField"):
                values[f"{field.name}_id"] = None  # a link emptied
            else:
                name, value = as_core(field.name, field.data)
                values[name] = value
        return values

    def command(self, run, form=None):
        """Run a command of the core; a refusal is a flash, and nothing is kept (None).

        The form, shown again as typed, carries each of the refusal's field messages
        under the field it names.
        """
        refused = []
        done = attempt(run, refused=refused)
        if refused and form is not None:
            beside(form, refused[0])
        return done

    def create_model(self, form):
        values = self.form_values(form)
        row = self.command(
            lambda: changes.save(db.session, me(), self.build_new_instance(), values, via="admin"),
            form,
        )
        return row if row is not None else False

    def update_model(self, form, model):
        values = self.form_values(form)
        saved = self.command(
            lambda: changes.save(db.session, me(), model, values, via="admin"), form
        )
        return saved is not None

    def delete_model(self, model):
        done = self.command(lambda: changes.delete(db.session, me(), model, via="admin") or True)
        return bool(done)

    # -- exports ---------------------------------------------------------------------

    def get_export_value(self, model, name):
        """The value as exported (CSV and XLSX alike), text a spreadsheet never runs.

        Excel and LibreOffice run a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
        CR as a formula (openpyxl writes one too): such text goes out after a ``'``.
        Numbers stay numbers (``-5`` is no formula; the text ``"-1"`` is neutralised).
        """
        value = super().get_export_value(model, name)
        if isinstance(value, int | float | Decimal):
            return value
        return spreadsheet_text(value)

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        """Flask-Admin's export, read from the read replica when there is one."""
        with replica_reads():
            return super().export(export_type)

    def _export_csv(self, return_url):
        """The CSV export, every row rendered before the response leaves the view.

        Flask-Admin streams the rows after the request's session has moved on: a related
        row not yet loaded (a unit's parent) raised mid-way and cut the file off under a
        200. Up to ``export_max_rows`` rows, the text is a few megabytes.
        """
        _count, rows = self._export_data()
        columns = [name for name, _label in self._export_columns]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([str(label) for _name, label in self._export_columns])
        for row in rows:
            writer.writerow([self.get_export_value(row, name) for name in columns])
        filename = secure_filename(self.get_export_name(export_type="csv"))
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment;filename={filename}"},
        )

    def _create_ajax_loader(self, name, options):
        remote = getattr(self.model, name).property.mapper.class_
        return ScopedLoader(name, self.session, remote, **options)


def beside(form, exc) -> None:
    """Each field message of a refusal under the form field it names (``unit_id``: *unit*)."""
    for name, messages in (getattr(exc, "errors", None) or {}).items():
        short = name.split(".")[-1]
        for key in (short, short.removesuffix("_id")):
            if key in form:
                form[key].errors = [*form[key].errors, *lines(messages)]
                break


def attempt(run, *, saying=describe, refused: list | None = None):
    """Run a command of the core: its result, or, if it refuses, None.

    A refusal is rolled back and flashed in the user's words (``saying(exc)``), and kept in
    ``refused`` for a caller that shows it again beside the form;
    a ValueError is the core's word for input it cannot take (a grant, an address).
    """
    try:
        return run()
    except WorkflowError as exc:
        db.session.rollback()
        flash(saying(exc), "error")
        if refused is not None:
            refused.append(exc)
    except ValueError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        if refused is not None:
            refused.append(exc)
    return None


def columns(names: str) -> list[str]:
    """Column names written as one line of words, as a view's lists are read."""
    return names.split()


def as_core(name: str, value) -> tuple[str, object]:
    """A form field as the core takes it: a related row becomes its id, as ``<name>_id``."""
    if hasattr(value, "__table__"):
        return f"{name}_id", value.id
    return name, value
