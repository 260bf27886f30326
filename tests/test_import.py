"""``flask import``: every row checked first, all or nothing, idempotent on the natural key."""

from __future__ import annotations

import csv
import tracemalloc

import pytest
from sqlalchemy import func, select

from tests.sql import sent
from workflow import importer
from workflow.models import Agency, Employee, Unit

AGENCIES = """code,name,province,region
IMP-A,Pemerintah Kota Impor,Jawa Barat,Kota Impor
IMP-B,Pemerintah Kabupaten Impor,Jawa Barat,Kabupaten Impor
"""
UNITS = """agency_code,code,name,parent_code
IMP-A,SETDA,Sekretariat Daerah,
IMP-A,BKPSDM,Badan Kepegawaian,SETDA
IMP-A,DISDIK,Dinas Pendidikan,SETDA
IMP-B,SETDA,Sekretariat Daerah,
"""
HEAD = "197001011995031001"
CHIEF = "198002022005012002"
STAFF = "199003032015031003"
OTHER = "199104042019032004"
EMPLOYEES = f"""nip,name,status,rank,position,agency_code,unit_code,supervisor_nip
{STAFF},Siti Aminah,PNS,III/a,Analis SDM,IMP-A,BKPSDM,{CHIEF}
{CHIEF},Budi Santoso,PNS,IV/a,Kepala BKPSDM,IMP-A,BKPSDM,{HEAD}
{HEAD},Ahmad Fauzi,PNS,IV/d,Sekretaris Daerah,IMP-A,SETDA,
{OTHER},Rina Wati,PPPK,IX,Guru Ahli Pertama,IMP-A,DISDIK,{CHIEF}
"""


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def loaded(cli, tmp_path, session):
    for kind, content in (("agencies", AGENCIES), ("units", UNITS)):
        result = cli("import", kind, str(write(tmp_path, f"{kind}.csv", content)), "--quiet")
        assert result.exit_code == 0, result.output
    return tmp_path


def test_agencies_units_and_employees_load_with_their_tree_and_chain(cli, loaded, session):
    result = cli("import", "employees", str(write(loaded, "e.csv", EMPLOYEES)))
    assert result.exit_code == 0, result.output
    assert "4 rows read, 4 added, 0 updated, 0 rejected" in result.output
    assert "read: 4 rows" in result.output  # progress, on standard error

    session.rollback()
    by_nip = {
        e.nip: e
        for e in session.scalars(
            select(Employee).where(Employee.nip.in_([HEAD, CHIEF, STAFF, OTHER]))
        )
    }
    assert by_nip[STAFF].supervisor_id == by_nip[CHIEF].id  # a supervisor later in the file
    assert by_nip[CHIEF].supervisor_id == by_nip[HEAD].id
    assert by_nip[HEAD].supervisor_id is None
    assert (by_nip[OTHER].status, by_nip[OTHER].rank, by_nip[OTHER].unit.code) == (
        "PPPK",
        "IX",
        "DISDIK",
    )
    bkpsdm = session.scalar(select(Unit).where(Unit.code == "BKPSDM"))
    assert bkpsdm.parent.code == "SETDA" and bkpsdm.agency.code == "IMP-A"


def test_loading_the_same_file_again_changes_nothing_and_changes_are_updates(cli, loaded, session):
    path = write(loaded, "e.csv", EMPLOYEES)
    assert cli("import", "employees", str(path), "--quiet").exit_code == 0
    before = {(e.nip, e.name, e.supervisor_id, e.id) for e in session.scalars(select(Employee))}
    again = cli("import", "employees", str(path), "--quiet")
    assert "4 rows read, 0 added, 4 updated" in again.output
    session.rollback()
    assert {
        (e.nip, e.name, e.supervisor_id, e.id) for e in session.scalars(select(Employee))
    } == before

    moved = EMPLOYEES.replace(f"Analis SDM,IMP-A,BKPSDM,{CHIEF}", "Analis SDM,IMP-A,SETDA,")
    assert cli("import", "employees", str(write(loaded, "m.csv", moved)), "--quiet").exit_code == 0
    session.rollback()
    staff = session.scalar(select(Employee).where(Employee.nip == STAFF))
    assert (staff.unit.code, staff.supervisor_id) == ("SETDA", None)
    assert count(session, Agency) >= 2 and count(session, Unit) >= 4

    # A newcomer whose supervisor is already in the database, not in the file.
    newcomer = "199609092024031009"
    extra = (
        f"nip,name,status,rank,position,agency_code,unit_code,supervisor_nip\n"
        f"{newcomer},Dian Sastro,PNS,III/a,Analis,IMP-A,SETDA,{HEAD}\n"
    )
    assert cli("import", "employees", str(write(loaded, "n.csv", extra)), "--quiet").exit_code == 0
    session.rollback()
    added = session.scalar(select(Employee).where(Employee.nip == newcomer))
    assert added.supervisor.nip == HEAD and added.id > max(e[3] for e in before)


def test_a_file_mixing_known_and_new_employees_gives_each_newcomer_its_own_id(cli, loaded, session):
    assert (
        cli("import", "employees", str(write(loaded, "e.csv", EMPLOYEES)), "--quiet").exit_code == 0
    )
    session.rollback()
    known = {e.nip: e.id for e in session.scalars(select(Employee))}
    lead, member = "198807072012031007", "199808082022032008"
    mixed = (
        f"nip,name,status,rank,position,agency_code,unit_code,supervisor_nip\n"
        f"{member},Anggota Baru,PNS,III/a,Analis,IMP-A,DISDIK,{lead}\n"
        f"{HEAD},Ahmad Fauzi Renamed,PNS,IV/d,Sekretaris Daerah,IMP-A,SETDA,\n"
        f"{lead},Ketua Baru,PNS,III/d,Kepala Seksi,IMP-A,DISDIK,{HEAD}\n"
    )
    result = cli("import", "employees", str(write(loaded, "x.csv", mixed)), "--quiet")
    assert "3 rows read, 2 added, 1 updated" in result.output, result.output
    session.rollback()
    people = {e.nip: e for e in session.scalars(select(Employee))}
    assert people[HEAD].id == known[HEAD] and people[HEAD].name == "Ahmad Fauzi Renamed"
    assert len({people[lead].id, people[member].id, *known.values()}) == len(known) + 2
    assert min(people[lead].id, people[member].id) > max(known.values())
    assert people[member].supervisor_id == people[lead].id
    assert people[lead].supervisor_id == known[HEAD]


BAD_ROWS = f"""nip,name,status,rank,position,agency_code,unit_code,supervisor_nip
{HEAD},Ahmad Fauzi,PNS,IV/d,Sekretaris Daerah,IMP-A,SETDA,
12345,Tanpa NIP,PNS,III/a,Staf,IMP-A,SETDA,{HEAD}
{CHIEF},Budi Santoso,PNS,V/a,Kepala BKPSDM,IMP-A,BKPSDM,{HEAD}
{STAFF},Siti Aminah,PNS,III/a,Analis SDM,IMP-A,BKPSDM,{CHIEF}
{OTHER},Rina Wati,PPPK,IX,Guru,IMP-A,NOPE,
199205052020031005,Dua Kali,PNS,II/a,Staf,IMP-A,SETDA,
199205052020031005,Dua Kali,PNS,II/a,Staf,IMP-A,SETDA,
199306062021032006,Atasan Hilang,PNS,II/b,Staf,IMP-A,SETDA,196001011990031099
199407072022031007,,PNS,II/c,Staf,IMP-A,SETDA,
199508082023032008,Sendiri,PNS,II/c,Staf,IMP-A,SETDA,199508082023032008
"""


def test_one_bad_row_and_nothing_is_loaded_with_every_reason_by_line(cli, loaded, session):
    path = write(loaded, "bad.csv", BAD_ROWS)
    result = cli("import", "employees", str(path))
    assert result.exit_code == 1
    assert "nothing imported: 9 of 10 rows are bad" in result.output
    assert count(session, Employee) == 0

    with open(loaded / "bad.csv.rejected.csv", encoding="utf-8") as rejected:
        reasons = {int(r["line"]): r["reason"] for r in csv.DictReader(rejected)}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "18 digits" in reasons[3]
    assert "'V/a' is not a PNS rank" in reasons[4]
    assert reasons[5] == "leans on line 4, which was rejected"  # its supervisor's row
    assert reasons[6].startswith("no unit with this unit_code")
    assert reasons[7] == reasons[8] == "the NIP appears more than once in the file"
    assert reasons[9].startswith("no employee with this supervisor_nip")
    assert reasons[10] == "required: name"
    assert reasons[11] == "an employee cannot be their own supervisor"
    assert f"{path}:3: NIP must have 18 digits" in result.output


def test_skip_bad_loads_the_good_rows_and_writes_the_rest(cli, loaded, session):
    path = write(loaded, "bad.csv", BAD_ROWS)
    result = cli(
        "import",
        "employees",
        str(path),
        "--skip-bad",
        "--quiet",
        "--rejects",
        str(loaded / "out.csv"),
    )
    assert result.exit_code == 0, result.output
    assert "10 rows read, 1 added, 0 updated, 9 rejected" in result.output
    session.rollback()
    assert session.scalars(select(Employee.nip)).all() == [HEAD]
    assert (loaded / "out.csv").read_text(encoding="utf-8").count("\n") == 10  # header + 9


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nip;name\n1;2\n", "the header of a employees file must be"),
        (EMPLOYEES.replace("supervisor_nip", "atasan"), "unknown: atasan"),
        ("", "missing: nip"),
    ],
)
def test_a_file_that_is_not_this_kind_of_csv_is_refused(cli, loaded, session, content, message):
    result = cli("import", "employees", str(write(loaded, "x.csv", content)))
    assert result.exit_code == 1 and message in result.output
    assert count(session, Employee) == 0


def test_non_utf8_and_missing_files_are_clear_errors(cli, loaded, session):
    path = loaded / "latin1.csv"
    path.write_bytes(EMPLOYEES.replace("Siti", "Sít\xed").encode("latin-1"))
    result = cli("import", "employees", str(path))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert count(session, Employee) == 0
    missing = cli("import", "employees", str(loaded / "nope.csv"))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_units_need_their_agency_and_parent(cli, loaded, session):
    bad = "agency_code,code,name,parent_code\nNOPE,X,Unit X,\nIMP-B,Y,Unit Y,ZZZ\nIMP-B,W,W,W\n"
    result = cli("import", "units", str(write(loaded, "u.csv", bad)))
    assert result.exit_code == 1
    with open(loaded / "u.csv.rejected.csv", encoding="utf-8") as rejected:
        reasons = [r["reason"] for r in csv.DictReader(rejected)]
    assert reasons == [
        "no agency with this agency_code",
        "no unit with this parent_code in the agency (in the file or the database)",
        "a unit cannot be its own parent",
    ]


def test_the_core_reports_counts_and_phases(session, loaded):
    lines = EMPLOYEES.splitlines(keepends=True)
    phases = []
    result = importer.import_csv(
        session, "employees", lines, progress=lambda phase, done: phases.append((phase, done))
    )
    assert (result.read, result.inserted, result.updated, result.applied) == (4, 4, 0, True)
    assert phases == [("read", 4), ("checked", 4), ("loaded", 4)]
    assert set(result.seconds) >= {"read", "check", "load"}


def nips(count: int, born: str = "19800101") -> list[str]:
    """``count`` distinct valid NIPs (same birth date and TMT, sequence 001 onwards)."""
    return [f"{born}2005011{n:03d}" for n in range(1, count + 1)]


def test_everyone_under_a_rejected_head_is_rejected_naming_their_own_supervisor(
    cli, loaded, session
):
    # a head whose rank is wrong, three chiefs under them, three staff under each chief
    head, *rest = nips(13)
    chiefs, staff = rest[:3], rest[3:]
    rows = [f"{head},Kepala,PNS,V/a,Sekretaris Daerah,IMP-A,SETDA,"]
    rows += [f"{c},Kabid,PNS,IV/a,Kepala Bidang,IMP-A,BKPSDM,{head}" for c in chiefs]
    rows += [
        f"{s},Staf,PNS,III/a,Analis,IMP-A,BKPSDM,{chiefs[i // 3]}" for i, s in enumerate(staff)
    ]
    rows.append(f"{OTHER},Rina Wati,PPPK,IX,Guru Ahli Pertama,IMP-A,DISDIK,")
    path = write(loaded, "chain.csv", "\n".join([EMPLOYEES.splitlines()[0], *rows]) + "\n")

    result = cli("import", "employees", str(path), "--skip-bad", "--quiet")
    assert result.exit_code == 0, result.output
    assert "14 rows read, 1 added, 0 updated, 13 rejected" in result.output
    with open(loaded / "chain.csv.rejected.csv", encoding="utf-8") as rejected:
        reasons = {r["nip"]: r["reason"] for r in csv.DictReader(rejected)}
    assert "'V/a' is not a PNS rank" in reasons[head]
    assert {reasons[c] for c in chiefs} == {"leans on line 2, which was rejected"}
    line_of = {c: 3 + n for n, c in enumerate(chiefs)}
    for i, s in enumerate(staff):
        assert reasons[s] == f"leans on line {line_of[chiefs[i // 3]]}, which was rejected"
    session.rollback()
    assert session.scalars(select(Employee.nip)).all() == [OTHER]


def test_a_file_bad_throughout_streams_its_rejects_in_memory_that_does_not_grow(session, loaded):

    header = EMPLOYEES.splitlines()[0]

    def peak_for(count: int) -> tuple[int, int]:
        path = loaded / f"bad{count}.csv"
        with path.open("w", encoding="utf-8") as f:  # every row names a status that does not exist
            f.write(header + "\n")
            for day in range(count // 999 + 1):
                for nip in nips(999, born=f"1970{1 + day // 28:02d}{1 + day % 28:02d}"):
                    if count == 0:
                        break
                    f.write(f"{nip},Salah,XXX,III/a,Staf,IMP-A,SETDA,\n")
                    count -= 1
        seen = []

        def sink(rows):
            seen.append(sum(1 for _ in rows))

        tracemalloc.start()
        with path.open(encoding="utf-8") as lines:
            result = importer.import_csv(session, "employees", lines, rejects=sink)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert not result.applied and seen == [result.rejected] == [result.read]
        assert len(result.first_rejected) == importer.SAMPLE
        assert [r.line for r in result.first_rejected] == list(range(2, 2 + importer.SAMPLE))
        assert result.first_rejected[0].reason.startswith("status must be one of PNS, PPPK")
        return result.rejected, peak

    small, small_peak = peak_for(10_000)
    large, large_peak = peak_for(40_000)
    assert (small, large) == (10_000, 40_000)
    # four times the bad rows, not four times the memory: none is held beyond a block
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    assert count(session, Employee) == 0


def test_a_rejects_file_that_cannot_be_written_is_an_error_and_nothing_is_loaded(
    cli, loaded, session
):
    path = write(loaded, "bad.csv", BAD_ROWS)
    result = cli(
        "import",
        "employees",
        str(path),
        "--skip-bad",
        "--rejects",
        str(loaded / "no-such-dir" / "out.csv"),
    )
    assert result.exit_code == 1
    assert "no-such-dir/out.csv: No such file or directory" in result.output
    assert count(session, Employee) == 0


def test_on_postgresql_the_import_has_memory_of_its_own_only_while_it_runs(session, loaded):
    from sqlalchemy import text

    postgresql = session.get_bind().dialect.name == "postgresql"
    show = "SELECT current_setting('work_mem'), current_setting('maintenance_work_mem')"
    before = session.execute(text(show)).one() if postgresql else None
    session.rollback()
    during = []

    def progress(phase, done):
        if postgresql and phase == "read":
            during.append(tuple(session.execute(text(show)).one()))

    result = importer.import_csv(
        session,
        "employees",
        EMPLOYEES.splitlines(keepends=True),
        progress=progress,
        work_mem="96MB",
    )
    assert result.applied and result.inserted == 4
    if postgresql:
        assert during == [("96MB", "96MB")]
        assert tuple(session.execute(text(show)).one()) == tuple(before)  # given back


def test_a_work_mem_the_database_refuses_is_a_clear_error_and_nothing_is_loaded(
    app, cli, loaded, session
):
    if session.get_bind().dialect.name != "postgresql":
        # SQLite has no such setting: the import does not send it
        result = importer.import_csv(
            session, "employees", EMPLOYEES.splitlines(keepends=True), work_mem="lots"
        )
        assert result.applied
        return
    with pytest.raises(importer.BadSetting, match="import work_mem 'lots'"):
        importer.import_csv(
            session, "employees", EMPLOYEES.splitlines(keepends=True), work_mem="lots"
        )
    app.config["IMPORT_WORK_MEM"] = "lots"
    try:
        result = cli("import", "employees", str(write(loaded, "e.csv", EMPLOYEES)))
    finally:
        del app.config["IMPORT_WORK_MEM"]
    assert result.exit_code == 1
    assert "import work_mem 'lots'" in result.output and "ALUR_IMPORT_WORK_MEM" in result.output
    assert count(session, Employee) == 0


def schema_of_employees(session) -> list[str]:
    """The employees table's indexes and foreign keys, as the database describes them."""
    from sqlalchemy import text

    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = 'employees'::regclass "
                "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'employees'::regclass"
            )
        )
    else:
        rows = session.execute(
            text("SELECT coalesce(sql, name) FROM sqlite_master WHERE tbl_name = 'employees'")
        )
    return sorted(row[0] for row in rows)


@pytest.fixture
def statements(session):
    """The SQL the session's engine runs from here on."""
    with sent(session.get_bind()) as seen:
        yield seen


def test_a_first_load_checks_keys_and_builds_indexes_after_and_leaves_them_as_they_were(
    session, loaded, statements
):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    before = schema_of_employees(session)
    assert count(session, Employee) == 0
    result = importer.import_csv(session, "employees", EMPLOYEES.splitlines(keepends=True))
    assert result.applied and result.inserted == 4
    assert schema_of_employees(session) == before
    texts = [s.statement for s in statements]
    dropped = [s for s in texts if s.startswith(("DROP INDEX", "ALTER TABLE employees"))]
    if session.get_bind().dialect.name == "postgresql":
        # the secondary indexes and the three foreign keys, dropped and made again
        assert sum(s.startswith("ALTER TABLE employees DROP") for s in dropped) == 3
        assert sum(s.startswith("DROP INDEX") for s in dropped) >= 4
        # and the keys hold again: an employee of no agency is refused
        with pytest.raises(IntegrityError):
            session.execute(
                text(
                    "INSERT INTO employees (nip, name, status, rank, position, agency_id, "
                    "unit_id, created_at) VALUES ('199901012020011001', 'X', 'PNS', 'III/a', "
                    "'X', 999999, 999999, CURRENT_TIMESTAMP)"
                )
            )
        session.rollback()
    else:
        assert dropped == []  # SQLite loads in place
    staff = session.scalar(select(Employee).where(Employee.nip == STAFF))
    assert staff.supervisor.nip == CHIEF


def test_a_first_load_that_fails_after_the_indexes_are_dropped_undoes_it_all(
    session, loaded, monkeypatch
):
    from dataclasses import replace

    from sqlalchemy.exc import DBAPIError

    before = schema_of_employees(session)
    failing = replace(
        importer.EMPLOYEES,
        apply=(*importer.EMPLOYEES.apply[:-1], "INSERT INTO agencies (code) VALUES (NULL)"),
    )
    monkeypatch.setitem(importer.KINDS, "employees", failing)
    with pytest.raises(DBAPIError):
        importer.import_csv(session, "employees", EMPLOYEES.splitlines(keepends=True))
    session.rollback()
    assert count(session, Employee) == 0
    assert schema_of_employees(session) == before


def test_a_load_into_a_table_with_rows_drops_nothing(cli, session, loaded, statements):
    first = EMPLOYEES.splitlines(keepends=True)
    assert importer.import_csv(session, "employees", first[:4]).applied  # header and three
    statements.clear()
    result = importer.import_csv(session, "employees", first)
    assert (result.inserted, result.updated) == (1, 3)
    schema_changes = ("DROP INDEX", "ALTER TABLE", "LOCK")
    assert not [s for s in statements if s.statement.startswith(schema_changes)]


def test_an_employee_added_while_a_first_load_waits_is_kept_and_nothing_is_dropped(
    app, session, loaded, statements
):
    """Another connection adds an employee (one the file holds too) and commits while the
    import waits for the table: the import then finds rows, loads in place beside them,
    and counts that employee as an update."""
    import threading
    import time

    from sqlalchemy import text

    from workflow.db import db

    engine = session.get_bind()
    postgresql = engine.dialect.name == "postgresql"
    agency_id = session.scalar(select(Agency.id).where(Agency.code == "IMP-A"))
    unit_id = session.scalar(
        select(Unit.id).where(Unit.agency_id == agency_id, Unit.code == "DISDIK")
    )
    session.rollback()
    other = engine.connect()
    other.execute(
        text(
            "INSERT INTO employees (nip, name, status, rank, position, agency_id, unit_id, "
            "created_at) VALUES (:nip, 'Rina', 'PPPK', 'IX', 'Guru', :agency, :unit, "
            "CURRENT_TIMESTAMP)"
        ),
        {"nip": OTHER, "agency": agency_id, "unit": unit_id},
    )
    outcome: dict = {}
    phases: list[str] = []

    def load() -> None:
        with app.app_context():
            try:
                outcome["result"] = importer.import_csv(
                    db.session,
                    "employees",
                    EMPLOYEES.splitlines(keepends=True),
                    progress=lambda phase, done: phases.append(phase),
                )
            except Exception as exc:  # handed to the test's thread
                outcome["error"] = exc
            finally:
                db.session.remove()

    importing = threading.Thread(target=load)
    try:
        importing.start()
        deadline = time.monotonic() + 30
        if postgresql:
            # the import's LOCK TABLE waits behind the other connection's insert
            with engine.connect() as probe:
                while not probe.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted "
                        "AND relation = 'employees'::regclass)"
                    )
                ).scalar_one():
                    assert time.monotonic() < deadline, "the import never waited for the table"
                    time.sleep(0.05)
        else:
            # SQLite: the import's write transaction waits for the other writer
            importing.join(timeout=1)
            assert importing.is_alive() and phases == []
        other.commit()
    finally:
        other.close()
        importing.join(timeout=60)
    assert not importing.is_alive()
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert result.applied and (result.inserted, result.updated) == (3, 1)
    assert not [s for s in statements if s.statement.startswith(("DROP INDEX", "ALTER TABLE"))]
    assert count(session, Employee) == 4
    rina = session.scalar(select(Employee).where(Employee.nip == OTHER))
    assert (rina.name, rina.supervisor.nip) == ("Rina Wati", CHIEF)  # the file's, updated
