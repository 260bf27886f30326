"""The benchmark at a tiny size, so it cannot rot: every phase runs and the report is written.

On the PostgreSQL leg it uses its own database (``<test database>_bench``) on the same
server; on the SQLite leg a file. The figures are not judged here: a timed unit test
proves nothing (the benchmark's report does, as ratios measured in one run).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.generate import nip, seed_history, seed_records, write_population
from bench.report import floors
from bench.scenarios import LISTS, split_ms
from workflow import importer, settings, verification
from workflow.mentoring import check_senior
from workflow.models import Appraisal, AuditEntry, Employee, MentoringAssignment
from workflow.nip import parse_nip
from workflow.workflows import WORKFLOWS

ROOT = Path(__file__).resolve().parent.parent


def test_generated_nips_are_valid_and_unique():
    import random

    rng = random.Random(1)
    numbers = [nip(i, rng) for i in range(30_000)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[::97]:
        parse_nip(number)


def test_the_population_has_a_unit_tree_and_a_supervisor_chain(tmp_path):
    import csv

    counts = write_population(tmp_path, 2500)
    assert (counts.agencies, counts.employees) == (1, 2500)
    with (tmp_path / "employees.csv").open() as f:
        rows = list(csv.DictReader(f))
    known = {r["nip"] for r in rows}
    heads = [r for r in rows if not r["supervisor_nip"]]
    assert len(heads) == counts.agencies  # one head per agency; everyone else answers to someone
    assert all(r["supervisor_nip"] in known for r in rows if r["supervisor_nip"])


def test_seeded_records_are_in_every_state_of_every_workflow_and_keep_the_rules(tmp_path, session):
    write_population(tmp_path, 2500)
    for kind in ("agencies", "units", "employees"):
        with (tmp_path / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            assert importer.import_csv(session, kind, f).applied
    settings.configure({"MENTORING_MAX_ACTIVE_MENTEES": 2})

    counts = seed_records(session)

    for wf in WORKFLOWS.values():
        seeded = set(session.scalars(select(wf.model.state).distinct()))
        assert seeded == {s.value for s in wf.states}, wf.name
    assert counts["mentoring_assignments"] > 100
    for a in session.scalars(select(MentoringAssignment)):
        mentor, mentee = session.get(Employee, a.mentor_id), session.get(Employee, a.mentee_id)
        assert mentee.supervisor_id == mentor.id and a.agency_id == mentee.agency_id
        check_senior(mentor, mentee)  # raises if the mentor is not the more senior
    most = session.scalar(
        select(func.count())
        .select_from(MentoringAssignment)
        .group_by(MentoringAssignment.mentor_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    assert most <= 2  # however many staff a supervisor has


def test_seeded_history_is_the_shortest_way_to_each_state_and_verifies(tmp_path, session):
    write_population(tmp_path, 600)
    for kind in ("agencies", "units", "employees"):
        with (tmp_path / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            assert importer.import_csv(session, kind, f).applied
    counts = seed_records(session)
    written = seed_history(session)
    assert written > sum(counts.values())  # records beyond draft have more than one entry
    report = verification.verify(session)
    assert report.ok, report.problems[:3]
    assert report.records == sum(counts.values()) and report.entries == written
    approved = session.scalar(select(Appraisal).where(Appraisal.state == "approved").limit(1))
    steps = session.scalars(
        select(AuditEntry.trigger)
        .where(AuditEntry.workflow == "appraisal", AuditEntry.record_id == approved.id)
        .order_by(AuditEntry.seq)
    ).all()
    assert steps == ["create", "submit", "review", "approve"]
    assert approved.version == approved.audit_seq == 4


def test_the_benchmark_runs_every_phase_and_writes_its_report(tmp_path, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        database = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_bench"
    else:
        database = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    out = tmp_path / "report"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--database-url",
            database,
            "--sizes",
            "200,400",
            "--seconds",
            "1",
            "--repeat",
            "5",
            "--bulk",
            "30",
            "--events",
            "20",
            "--mails",
            "20",
            "--digest-burst",
            "60",
            "--clients",
            "2",
            "--workers",
            "1",
            "--sqlite-bulk",
            "0",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    size = report["sizes"]["400"]
    assert size["employees"] == 400 and size["records"]["appraisals"] > 300
    # every list at both sizes, measured by turns: the figure is their ratio
    for measured in ("200", "400"):
        lists = report["sizes"][measured]["lists"]
        assert set(lists) == set(LISTS) and all(v["n"] == 5 for v in lists.values())
    assert set(report["summary"]["lists"]) == set(LISTS)
    assert "transitions" not in report["sizes"]["200"]  # the rest at the largest alone
    assert size["records"]["mentoring_assignments"] > 0
    if url.startswith("postgresql"):
        # both import baselines; the second is rolled back, so the records above were seeded
        assert size["copy_seconds"] > 0 and size["table_copy_seconds"] > 0
        assert size["import_ratio"] > 0 and size["import_table_ratio"] > 0
        # what an import could reach at best: the COPY into employees against the plain one
        assert size["import_bound"] == size["table_copy_rows_per_s"] / size["copy_rows_per_s"]
        assert size["import_ratio"] <= size["import_bound"]
        assert "the most any import into `employees` can reach" in (out / "report.md").read_text()
        # measured after a VACUUM: without it the seed's dead rows weigh on the largest size
        import psycopg

        sized = database.replace("postgresql+psycopg", "postgresql") + "_400"
        with psycopg.connect(sized) as conn:
            vacuumed = conn.execute(
                "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'appraisals'"
            ).fetchone()
        assert vacuumed == (True,)
    assert size["transitions"]["api"]["done"] > 0 and size["transitions"]["raw_sql"]["done"] > 0
    assert size["transitions"]["api"]["errors"] == 0
    assert size["transitions"]["rounds"] == 6 and size["transitions"]["round_ratios"]
    assert size["bulk"]["succeeded"] == 30
    assert size["outbox"]["delivered"] >= size["outbox"]["events"] > 0
    runs = size["outbox"]["runs"]  # one worker, then two, each delivering every event afresh
    assert sorted(runs) == ["1", "2"]
    assert all(r["delivered"] >= size["outbox"]["events"] for r in runs.values())
    # What a delivery costs each process that shares the cores, and the receiver alone (in
    # clock ticks of 10 ms: a run this small may spend less than one in a process).
    for r in runs.values():
        local_database = {"postgresql"} if database.startswith("postgresql") else set()
        assert set(r["cpu_us_per_delivery"]) == {"workers", "receiver"} | local_database
        assert min(r["cpu_us_per_delivery"].values()) >= 0
    assert size["outbox"]["receiver_cpu_us_at_ceiling"] > 0
    assert "cores deliver at most" in (out / "report.md").read_text()
    assert size["worker_peak_rss_mb"] > 0
    mail = size["mail"]  # every notification mailed, against the sink's own ceiling
    assert mail["sent"] == 20 and mail["ratio"] > 0 and mail["sink_ceiling_per_s"] > 0
    digest = mail["digest"]  # many items, one digest a day per user
    assert digest["items"] == 60 and digest["mails"] == digest["users"] > 0
    assert digest["most_to_one_user"] == 1
    assert mail["notifications_per_event"] is not None
    assert set(report["summary"]) >= {
        "transitions",
        "lists",
        "import",
        "outbox",
        "mail",
        "bulk_seconds",
        "periods",
    }
    assert "| notification mails" in (out / "report.md").read_text()
    assert "| API transitions" in (out / "report.md").read_text()
    # the seeded records have their chains, and the whole log verifies after every phase
    assert size["audit_entries"] > sum(size["records"].values())
    audit_ = size["audit"]
    assert audit_["new_entries"] >= 30  # the bulk approval came after the checkpoint
    assert audit_["entries"] > size["audit_entries"] and audit_["full_seconds"] > 0
    assert audit_["incremental_seconds"] > 0 and audit_["checkpoint_seconds"] > 0
    assert "| full `audit verify`" in (out / "report.md").read_text()
    opened = size["periods"]  # every agency's period opened: an appraisal per chain
    assert opened["largest"]["made"] == opened["largest"]["plain_rows"] > 0
    assert opened["every"]["made"] == opened["every"]["plain_rows"] >= opened["largest"]["made"]
    assert opened["every"]["ratio"] > 0 and opened["every"]["ratio_with_log"] > 0
    assert "| opening a period, every agency" in (out / "report.md").read_text()


def test_the_report_shows_the_apis_lead_over_raw_sql_rather_than_a_negative_own_work():
    measured = {
        name: {"per_second": rate}
        for name, rate in (("http_floor", 896), ("token_floor", 297), ("raw_sql", 242))
    }
    ahead = measured | {"api": {"per_second": 253}}
    line = floors(ahead | {"split_ms": split_ms(ahead)})
    assert "(the API was 0.18 ms faster than raw SQL)" in line and "-0." not in line
    behind = measured | {"api": {"per_second": 200}}
    line = floors(behind | {"split_ms": split_ms(behind)})
    assert line.endswith("writes 0.77, Alur's own work 0.87")


def test_the_raw_sql_yardstick_writes_an_entry_that_verifies(app, session, cast, bearer):
    # It is measured against the engine, so it must do the engine's writes: a keyed entry
    # that vouches for the record's fields as the step leaves them.
    from alur import create_app
    from bench import baseline
    from tests.factories import new_record
    from workflow import verification

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    raw = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    baseline.register(raw)
    record = new_record(session, cast, "appraisal")
    session.commit()
    answer = raw.test_client().post(
        f"/api/bench/raw/appraisals/{record.id}/submit", headers=bearer(cast.subject)
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    session.expire_all()
    report = verification.verify(session)
    assert report.ok, report.problems
    assert record.state == "submitted" and report.entries == 2
