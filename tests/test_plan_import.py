"""SKP plans from a spreadsheet: checked row by row first, then written through the engine."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from tests.factories import PLAN_YEAR, chain_rhk
from workflow import plan_import, verification
from workflow.models import AuditEntry, SkpPlan

HEADER = plan_import.COLUMNS


def sheet(*rows) -> list[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().splitlines(keepends=True)


def row(
    nip,
    rhk_no=1,
    *,
    rhk="Laporan layanan",
    parent="1",
    aspect="kuantitas",
    year=PLAN_YEAR,
    indicator="Jumlah laporan",
    target="12 laporan",
    kind="utama",
    agency_target="",
):
    return [
        nip,
        str(year),
        str(rhk_no),
        kind,
        rhk,
        parent,
        agency_target,
        aspect,
        indicator,
        target,
    ]


def test_a_sheet_of_plans_becomes_audited_drafts_and_again_changes_nothing(
    session, cast, cli, tmp_path
):
    chain_rhk(session, cast)  # the supervisor's plan is agreed: the staff cite its RHK 1
    session.commit()
    subject, colleague = cast.subject_employee.nip, cast.colleague.employee.nip
    rows = sheet(
        row(subject),
        row(subject, aspect="waktu", indicator="Tepat waktu", target="12 bulan"),
        row(
            subject,
            2,
            rhk="Mentor magang",
            parent="",
            kind="tambahan",
            indicator="Peserta",
            target="2 orang",
        ),
        row(colleague, rhk="Survei kepuasan", indicator="Survei", target="4 kali"),
    )
    path = tmp_path / "skp.csv"
    path.write_text("".join(rows), encoding="utf-8")
    done = cli("import", "plans", str(path))
    assert done.exit_code == 0, done.output
    assert "2 plans made" in done.output
    session.rollback()
    mine = session.scalar(select(SkpPlan).where(SkpPlan.employee_id == cast.subject_employee.id))
    assert [(i.kind, i.text, len(i.indicators)) for i in mine.items] == [
        ("utama", "Laporan layanan", 2),
        ("tambahan", "Mentor magang", 1),
    ]
    assert mine.items[0].parent.plan.employee_id == cast.supervisor.employee_id
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.workflow == "skp_plan", AuditEntry.record_id == mine.id)
    )
    assert (entry.trigger, entry.via, entry.comment) == (
        "create",
        "system",
        "imported from a spreadsheet",
    )
    again = cli("import", "plans", str(path))
    assert "0 plans made, 0 changed, 2 unchanged" in again.output
    assert verification.verify(session).ok


def test_one_bad_row_and_nothing_is_written_unless_asked(session, cast):
    chain_rhk(session, cast)
    session.commit()
    before = session.scalar(select(func.count()).select_from(SkpPlan))
    subject = cast.subject_employee.nip
    rows = sheet(
        row(subject),
        row("199999999999999999"),  # no such NIP (and not a valid one)
        row(cast.colleague.employee.nip, parent="9"),  # the supervisor's plan has no RHK 9
        row(subject, rhk="Lain"),  # RHK 1 said otherwise
        row(cast.hr_other.employee.nip),  # another agency's employee: HR may not see them
        row(subject, aspect="rasa"),
        row(subject, year=1999),
        row("x" * 5000),
    )
    result = plan_import.import_plans(session, cast.hr, rows, via="api")
    assert not result.applied
    reasons = {r.line: r.reason for r in result.rejected}
    assert "no RHK 9" in reasons[4] and "said otherwise on line 2" in reasons[5]
    assert "you may see" in reasons[6] and "aspect" in reasons[7] and "year" in reasons[8]
    assert "nip" in reasons[3] and "nip" in reasons[9]
    assert session.scalar(select(func.count()).select_from(SkpPlan)) == before
    partial = plan_import.import_plans(session, cast.hr, rows, via="api", skip_bad=True)
    assert partial.applied and partial.created == 0  # the subject's plan had a bad row too
    good = sheet(row(subject), row(cast.colleague.employee.nip))
    assert plan_import.import_plans(session, cast.hr, good, via="api").created == 2


def test_a_plan_already_submitted_is_not_changed_by_an_import(session, cast):
    from tests.factories import new_record
    from workflow import fire

    plan = fire(new_record(session, cast, "skp_plan"), "submit", None, via="system")
    session.commit()
    result = plan_import.import_plans(
        session, cast.hr, sheet(row(cast.subject_employee.nip, rhk="Diganti")), via="api"
    )
    assert not result.applied and "submitted" in result.rejected[0].reason
    session.rollback()
    assert [i.text for i in session.get(SkpPlan, plan.id).items] == ["Laporan layanan"]


def test_a_file_out_of_shape_is_refused_with_a_message(session, cast, cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nip,year\n1,2\n", encoding="utf-8")
    refused = cli("import", "plans", str(bad))
    assert refused.exit_code == 1 and "header" in refused.output
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert cli("import", "plans", str(binary)).exit_code == 1
