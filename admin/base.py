"""The model view every back-office list shares: guarded, scoped to the user's agency, fast."""

from __future__ import annotations

from datetime import datetime

from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.form import SecureForm
from flask_admin.model import typefmt
from flask_babel import format_datetime

from admin.access import ADMIN_AND_HR, Guarded, is_admin, me
from workflow.db import db


class ScopedLoader(QueryAjaxModelLoader):
    """Foreign-key lookups offer only rows of the user's agency (all, to admins)."""

    def get_query(self):
        query = super().get_query()
        if not is_admin() and hasattr(self.model, "agency_id"):
            query = query.filter(self.model.agency_id == me().agency_id)
        return query


def safe_next(url: str | None, fallback: str) -> str:
    """``url`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return fallback


def _local_time(view, value, name=None) -> str:
    return format_datetime(value, "short")


def _listed(view, value, name=None) -> str:
    return ", ".join(map(str, value))


TYPE_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: _local_time, list: _listed}
DETAIL_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime: _local_time, list: _listed}


class AlurModelView(Guarded, ModelView):
    """Logged-in staff only; lists without counts; CSRF on every form.

    ``agency_column`` (a column name) limits non-admins to their agency's rows,
    in lists, exports, details and edits alike.
    """

    roles = ADMIN_AND_HR
    form_base_class = SecureForm
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
    agency_column: str | None = "agency_id"
    edit_roles: frozenset[str] = frozenset({"admin"})

    def __init__(self, model, **kwargs):
        super().__init__(model, db, **kwargs)

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    def _may_edit(self) -> bool:
        return bool(self.edit_roles & me().role_names) if self.is_accessible() else False

    def _scope(self, query):
        if self.agency_column and not is_admin():
            query = query.filter(getattr(self.model, self.agency_column) == me().agency_id)
        return query

    def get_query(self):
        return self._scope(super().get_query())

    def get_count_query(self):
        return self._scope(super().get_count_query())

    def get_one(self, id):
        row = super().get_one(id)
        if row is None or not self.agency_column or is_admin():
            return row
        return row if getattr(row, self.agency_column) == me().agency_id else None

    def on_model_change(self, form, model, is_created):
        mine = not self.agency_column or is_admin()
        if not mine and getattr(model, self.agency_column) != me().agency_id:
            raise ValueError("you may only keep records of your own agency")

    def _create_ajax_loader(self, name, options):
        remote = getattr(self.model, name).property.mapper.class_
        return ScopedLoader(name, self.session, remote, **options)
