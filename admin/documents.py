"""The documents people print and sign, and the page their QR code opens.

*Dokumen Evaluasi Kinerja Pegawai* and the *Sasaran Kinerja Pegawai* (PermenPANRB 6/2022):
an appraisal, and an SKP plan, as a signed A4 PDF
(WeasyPrint from an HTML template), in Indonesian, with a QR code (segno) of the address
at which anyone can check, without logging in, that it is the record as it stands now
(``workflow.documents``).
"""

from __future__ import annotations

import segno
from flask import Response, current_app, render_template, url_for
from flask_babel import force_locale, format_date

from admin.forms import ASPECT_LABELS, CORE_VALUE_LABELS, RHK_KIND_LABELS
from admin.labels import STATE_LABELS
from admin.views.workflows import RATING_LABELS, period_label
from workflow import documents
from workflow.models import Appraisal, SkpPlan
from workflow.predicate import CoreValue

# The document is written in the language of the regulation it follows.
DOCUMENT_LOCALE = "id"


def verify_url(record) -> str:
    """Where the document's QR code leads: the check of its seal (no login), at the
    service's public address (``ALUR_BASE_URL``), whatever address it was printed from."""
    path = url_for(
        "web.verify_document",
        workflow=record.workflow_name,
        record_id=record.id,
        token=documents.seal(record),
    )
    return current_app.config["BASE_URL"].rstrip("/") + path


def _person(employee) -> dict:
    if employee is None:
        return {"name": "—", "nip": "—", "rank": "—", "position": "—", "unit": "—"}
    return {
        "name": employee.name,
        "nip": employee.nip,
        "rank": employee.rank,
        "position": employee.position,
        "unit": employee.unit.name if employee.unit is not None else "—",
    }


def _core_values(feedback) -> list[tuple[str, str]]:
    """The feedback per BerAKHLAK value; nothing from a column that holds no mapping (a row
    edited by hand), rather than no document."""
    if not isinstance(feedback, dict):
        return []
    return [(str(CORE_VALUE_LABELS.get(key, key)), str(text)) for key, text in feedback.items()]


def appraisal_pdf(record: Appraisal) -> bytes:
    """The appraisal's *Dokumen Evaluasi Kinerja Pegawai* as A4 PDF bytes."""
    link = verify_url(record)
    with force_locale(DOCUMENT_LOCALE):
        html = render_template(
            "documents/appraisal.html",
            record=record,
            agency=record.employee.agency.name,
            period=period_label(record.year, record.period),
            employee=_person(record.employee),
            assessor=_person(record.assessor),
            approver=_person(record.approver),
            state=STATE_LABELS.get(record.state, record.state),
            work=RATING_LABELS.get(record.work_result_rating, record.work_result_rating),
            behaviour=RATING_LABELS.get(record.behaviour_rating, record.behaviour_rating),
            values=_core_values(record.behaviour_feedback),
            printed=format_date(record.state_changed_at, "d MMMM y"),
            qr=segno.make(link, error="m").svg_data_uri(scale=3, border=0),
            link=link,
            seal=documents.seal(record),
        )
    # Imported here, not at start-up: it loads Pango, which only printing needs.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def file_name(record) -> str:
    if isinstance(record, SkpPlan):
        return f"skp-{record.employee.nip}-{record.year}.pdf"
    return f"evaluasi-kinerja-{record.employee.nip}-{record.year}-{record.period}.pdf"


def _source(item) -> str:
    if item.parent is not None:
        return f"{item.parent.text} ({item.parent.plan.employee.name})"
    return item.agency_target or "—"


def plan_pdf(record: SkpPlan) -> bytes:
    """The *Sasaran Kinerja Pegawai* as A4 PDF bytes: the employee and the assessor, each
    RHK with what it supports and its indicators and targets, the leader's expectations of
    each BerAKHLAK value, signature blocks, and the QR code of its check."""
    link = verify_url(record)
    expectations = record.expectations if isinstance(record.expectations, dict) else {}
    with force_locale(DOCUMENT_LOCALE):
        rows = [
            {
                "number": item.position + 1,
                "source": _source(item) if item.kind == "utama" else "—",
                "text": item.text,
                "kind": str(RHK_KIND_LABELS.get(item.kind, item.kind)),
                "indicators": [
                    {
                        "aspect": str(ASPECT_LABELS.get(i.get("aspect"), i.get("aspect"))),
                        "indicator": i.get("indicator", ""),
                        "target": i.get("target", ""),
                    }
                    for i in (item.indicators if isinstance(item.indicators, list) else [])
                    if isinstance(i, dict)
                ],
            }
            for item in record.items
        ]
        html = render_template(
            "documents/skp_plan.html",
            record=record,
            agency=record.employee.agency.name,
            employee=_person(record.employee),
            assessor=_person(record.assessor),
            state=STATE_LABELS.get(record.state, record.state),
            rows=rows,
            values=[
                (str(CORE_VALUE_LABELS[v.value]), str(expectations.get(v.value) or ""))
                for v in CoreValue
            ],
            qr=segno.make(link, error="m").svg_data_uri(scale=3, border=0),
            link=link,
            seal=documents.seal(record),
        )
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def response(record) -> Response:
    """The record's document (its SKP plan, or its evaluation) as an inline PDF answer."""
    pdf = plan_pdf(record) if isinstance(record, SkpPlan) else appraisal_pdf(record)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{file_name(record)}"'},
    )
