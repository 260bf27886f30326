"""Back-office views of the reference data: the organisation, budgets, JP, acting officials,
follow-ups and holidays."""

from __future__ import annotations

from datetime import date

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin.access import me
from admin.base import AlurModelView, columns, row_ids
from workflow import delegation, policy, reference
from workflow.db import db
from workflow.models import Holiday
from workflow.models.programs import DeliveryMode, DevelopmentForm
from workflow.ranks import PNS_RANKS, PPPK_GRADES, EmploymentStatus

# Bentuk pengembangan kompetensi and metode, as the people who plan them say them.
FORM_LABELS = {
    DevelopmentForm.PELATIHAN: _l("Training"),
    DevelopmentForm.SEMINAR: _l("Seminar"),
    DevelopmentForm.WORKSHOP: _l("Workshop"),
    DevelopmentForm.KURSUS: _l("Course"),
    DevelopmentForm.BIMTEK: _l("Technical guidance"),
    DevelopmentForm.E_LEARNING: _l("E-learning"),
    DevelopmentForm.COACHING: _l("Coaching"),
    DevelopmentForm.MENTORING: _l("Mentoring"),
    DevelopmentForm.MAGANG: _l("Internship"),
    DevelopmentForm.BENCHMARKING: _l("Benchmarking"),
}
MODE_LABELS = {
    DeliveryMode.TATAP_MUKA: _l("Face to face"),
    DeliveryMode.DARING: _l("Online"),
    DeliveryMode.BLENDED: _l("Blended"),
}
PROGRAM_CHOICES = {
    "form": [(form.value, FORM_LABELS[form]) for form in DevelopmentForm],
    "delivery_mode": [(mode.value, MODE_LABELS[mode]) for mode in DeliveryMode],
}

# Golongan/ruang of PNS by their names (PP 99/2000), grades of PPPK: chosen, never typed.
PNS_RANK_NAMES = dict(
    zip(
        PNS_RANKS,
        (
            "Juru Muda",
            "Juru Muda Tingkat I",
            "Juru",
            "Juru Tingkat I",
            "Pengatur Muda",
            "Pengatur Muda Tingkat I",
            "Pengatur",
            "Pengatur Tingkat I",
            "Penata Muda",
            "Penata Muda Tingkat I",
            "Penata",
            "Penata Tingkat I",
            "Pembina",
            "Pembina Tingkat I",
            "Pembina Utama Muda",
            "Pembina Utama Madya",
            "Pembina Utama",
        ),
        strict=True,
    )
)
EMPLOYEE_CHOICES = {
    "status": [
        (EmploymentStatus.PNS.value, _l("PNS (civil servant)")),
        (EmploymentStatus.PPPK.value, _l("PPPK (government employee with a work agreement)")),
    ],
    "rank": [(rank, f"{rank} ({PNS_RANK_NAMES[rank]})") for rank in PNS_RANKS]
    + [(grade, f"PPPK {grade}") for grade in PPPK_GRADES],
}


class ReferenceView(AlurModelView):
    """Agencies, units, employees, programs: saved by the core's commands, as every view is."""

    edit_roles = frozenset({"admin", "hr_officer"})


class AgencyView(ReferenceView):
    edit_roles = frozenset({"admin"})
    column_list = ["id", "code", "name", "province", "region"]
    column_searchable_list = ["code"]
    form_columns = ["code", "name", "province", "region"]
    column_labels = {"name": _l("Name"), "province": _l("Province"), "region": _l("Region")}


class UnitView(ReferenceView):
    column_list = ["id", "agency", "code", "name", "parent"]
    column_searchable_list = ["code"]
    column_filters = ["agency_id"]
    form_columns = ["agency", "parent", "code", "name"]
    form_ajax_refs = {
        "agency": {"fields": ["code", "name"], "page_size": 10},
        "parent": {"fields": ["code", "name"], "page_size": 10},
    }
    column_labels = {"name": _l("Name"), "agency": _l("Agency"), "parent": _l("Parent unit")}


class EmployeeView(ReferenceView):
    column_list = ["id", "nip", "name", "status", "rank", "position", "unit", "supervisor"]
    column_searchable_list = ["nip", "name"]  # searched as reference.employee_search does
    column_filters = ["agency_id", "status", "rank"]
    form_columns = ["nip", "name", "status", "rank", "position", "unit", "supervisor"]
    form_choices = column_choices = EMPLOYEE_CHOICES
    form_ajax_refs = {
        "unit": {"fields": ["code", "name"], "page_size": 10},
        "supervisor": {"fields": ["nip", "name"], "page_size": 10},
    }
    column_labels = {
        "nip": "NIP",
        "name": _l("Name"),
        "rank": _l("Rank (golongan)"),
        "position": _l("Position (jabatan)"),
        "unit": _l("Work unit"),
        "supervisor": _l("Supervisor (atasan langsung)"),
    }

    def _apply_search(self, query, count_query, joins, count_joins, search):
        # a NIP by its first digits on the unique index, a name by its words on a trigram
        # index, rather than Flask-Admin's ILIKE '%…%' over every row of millions
        where = reference.employee_search(search)
        count_query = None if count_query is None else count_query.filter(where)
        return query.filter(where), count_query, joins, count_joins


class ProgramView(ReferenceView):
    column_list = columns(
        "id code name form delivery_mode jp start_date end_date seat_quota seats_taken"
    )
    column_searchable_list = ["code"]
    column_filters = ["form", "delivery_mode", "agency_id"]
    form_columns = columns(
        "code name form delivery_mode organiser agency jp start_date end_date seat_quota "
        "cost_per_participant description"
    )
    form_ajax_refs = {"agency": {"fields": ["code", "name"], "page_size": 10}}
    # Coded fields are chosen by their names, and shown by them in lists and details.
    form_choices = column_choices = PROGRAM_CHOICES


class BudgetView(AlurModelView):
    """Agencies' yearly development budgets: set by admins, read by the agency's HR."""

    column_list = ["id", "agency", "year", "amount", "committed"]
    column_filters = ["year", "agency_id"]
    form_columns = ["agency", "year", "amount"]
    form_ajax_refs = {"agency": {"fields": ["code", "name"], "page_size": 10}}


class JpLedgerView(AlurModelView):
    """The JP (jam pelajaran) credited to employees; HR sees their agency's."""

    can_create = can_edit = can_delete = False
    column_list = ["id", "employee", "year", "jp", "source", "source_id", "note", "created_at"]
    column_filters = ["year", "source"]


class DelegationView(AlurModelView):
    """Acting officials (Plt/Plh): HR of the agency makes them; they end by themselves."""

    edit_roles = frozenset({"admin", "hr_officer"})
    can_edit = False
    can_delete = False
    column_list = ["id", "kind", "delegate", "principal", "starts_on", "ends_on", "revoked_at"]
    column_filters = ["kind", "starts_on", "ends_on"]
    column_labels = {
        "principal": _l("Principal"),
        "delegate": _l("Acting"),
        "starts_on": _l("Starts"),
        "ends_on": _l("Ends"),
        "kind": _l("Kind"),
    }
    form_columns = ["kind", "principal", "delegate", "starts_on", "ends_on"]
    form_choices = {"kind": [("Plh", "Plh"), ("Plt", "Plt")]}
    form_ajax_refs = {
        "principal": {"fields": ["nip", "name"], "page_size": 10},
        "delegate": {"fields": ["nip", "name"], "page_size": 10},
    }

    def create_model(self, form):
        principal, acting = form.principal.data, form.delegate.data
        if principal is None or acting is None or not form.starts_on.data or not form.ends_on.data:
            flash(_("Give the official, the acting employee and both dates."), "error")
            return False
        row = self.command(
            lambda: delegation.delegate(
                db.session,
                me(),
                principal_id=principal.id,
                delegate_id=acting.id,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                kind=form.kind.data,
                via="admin",
            )
        )
        return row if row is not None else False

    @action("revoke", _l("End now"), _l("End the selected delegations now?"))
    def action_revoke(self, ids):
        done = []
        for row_id in row_ids(ids):
            if self.get_one(row_id) is not None and self.command(
                lambda row_id=row_id: delegation.revoke(db.session, me(), row_id, via="admin")
            ):
                done.append(row_id)
        flash(_("Ended: %(ids)s", ids=", ".join(f"#{i}" for i in done)), "success")


class FollowUpView(AlurModelView):
    """What approved appraisals led to (made by the system; read here, acted on in the drafts)."""

    can_create = can_edit = can_delete = False
    column_list = columns(
        "id appraisal_id employee kind predicate nomination_id mentoring_id note created_at"
    )
    column_filters = ["kind", "predicate"]
    column_choices = {
        "kind": [
            ("reward", _l("Reward recommendation (penghargaan)")),
            ("training", _l("Training nomination")),
            ("mentoring", _l("Mentoring (bimbingan)")),
        ]
    }
    column_labels = {
        "appraisal_id": _l("Appraisal"),
        "nomination_id": _l("Nomination"),
        "mentoring_id": _l("Mentoring"),
        "predicate": _l("Predikat"),
    }


class HolidayView(AlurModelView):
    """The holiday calendar that step deadlines skip."""

    edit_roles = frozenset({"admin"})
    column_display_pk = True
    column_default_sort = ("day", True)
    column_list = ["day", "name"]
    form_columns = ["day", "name"]
    column_labels = {"day": _l("Date")}

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    def get_one(self, id):
        try:  # the key is a date; a URL carries it as text
            day = date.fromisoformat(str(id))
        except ValueError:
            return None
        row = db.session.get(Holiday, day)
        return row if row is not None and policy.can_see(me(), row) else None
