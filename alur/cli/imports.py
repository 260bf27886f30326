"""``flask import agencies|units|employees FILE.csv``: bulk loading of reference data."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from workflow import importer, plan_import
from workflow.db import db


@click.group("import")
def import_group():
    """Load agencies, units, employees or SKP plans from CSV (checked first; all or nothing)."""


def _command(kind: importer.Kind):
    columns = ",".join(kind.columns)

    @import_group.command(
        kind.name,
        help=(
            f"Load {kind.name} from FILE (CSV, UTF-8, header: {columns}). Every row is checked "
            "first; one bad row and nothing is loaded, unless --skip-bad. Rows already there "
            "(same key) are updated, so loading a file twice changes nothing."
        ),
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--skip-bad", is_flag=True, help="Load the good rows even if some are bad.")
    @click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the rejected rows (default: FILE.rejected.csv).",
    )
    @click.option("--quiet", is_flag=True, help="No progress lines.")
    @with_appcontext
    def command(file: Path, skip_bad: bool, rejects: Path | None, quiet: bool):
        started = time.perf_counter()

        def progress(phase: str, done: int) -> None:
            if not quiet:
                click.echo(
                    f"  {phase}: {done:,} rows ({time.perf_counter() - started:.1f} s)", err=True
                )

        work_mem = str(current_app.config.get("IMPORT_WORK_MEM", importer.WORK_MEM))
        target = rejects or file.with_name(file.name + ".rejected.csv")

        def write_rejects(rows) -> None:
            try:
                with target.open("w", encoding="utf-8", newline="") as out:
                    importer.write_rejected(kind.name, rows, out)
            except OSError as exc:  # raised inside the import, so nothing is loaded
                raise click.ClickException(f"{target}: {exc.strerror}") from None

        with file.open(encoding="utf-8-sig", newline="") as stream:
            try:
                result = importer.import_csv(
                    db.session,
                    kind.name,
                    stream,
                    skip_bad=skip_bad,
                    progress=progress,
                    rejects=write_rejects,
                    work_mem=work_mem,
                )
            except importer.BadFile as exc:
                raise click.ClickException(f"{file}: {exc.explained()}") from None
            except importer.BadSetting as exc:
                raise click.ClickException(f"{exc} (ALUR_IMPORT_WORK_MEM)") from None
        elapsed = time.perf_counter() - started
        if result.rejected:
            for r in result.first_rejected:
                click.echo(f"{file}:{r.line}: {r.reason}", err=True)
            more = result.rejected - len(result.first_rejected)
            if more > 0:
                click.echo(f"… and {more:,} more", err=True)
            click.echo(f"{result.rejected:,} rejected rows written to {target}", err=True)
        if not result.applied:
            click.echo(
                f"{kind.name}: nothing imported: {result.rejected:,} of "
                f"{result.read:,} rows are bad (use --skip-bad to load the others)",
                err=True,
            )
            sys.exit(1)
        rate = result.read / elapsed if elapsed else 0
        click.echo(
            f"{kind.name}: {result.read:,} rows read, {result.inserted:,} added, "
            f"{result.updated:,} updated, {result.rejected:,} rejected "
            f"in {elapsed:.2f} s ({rate:,.0f} rows/s)"
        )

    return command


for _kind in importer.KINDS.values():
    _command(_kind)


@import_group.command(
    "plans",
    help=(
        f"Load SKP plans from FILE (CSV, UTF-8, header: {','.join(plan_import.COLUMNS)}; a row "
        "per indicator). Every row is checked first; one bad row and nothing is loaded, unless "
        "--skip-bad. Each plan is written through the engine as a draft (or its draft's RHK "
        "replaced), audited; loading a file twice changes nothing."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Load the good plans even if some rows are bad.")
@with_appcontext
def import_plans(file: Path, skip_bad: bool):
    started = time.perf_counter()
    with file.open(encoding="utf-8-sig", newline="") as stream:
        try:
            # The operator's command acts as the system, as the engine records it.
            result = plan_import.import_plans(
                db.session, None, stream, via="system", skip_bad=skip_bad
            )
        except plan_import.BadFile as exc:
            raise click.ClickException(f"{file}: {exc.explained()}") from None
        except UnicodeDecodeError:
            raise click.ClickException(f"{file}: not UTF-8 text") from None
    for r in result.rejected[: plan_import.SAMPLE]:
        click.echo(f"{file}:{r.line}: {r.reason}", err=True)
    if len(result.rejected) > plan_import.SAMPLE:
        click.echo(f"… and {len(result.rejected) - plan_import.SAMPLE:,} more", err=True)
    if not result.applied:
        click.echo(
            f"plans: nothing imported: {len(result.rejected):,} bad rows "
            "(use --skip-bad to load the others)",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"plans: {result.read:,} rows read, {result.created:,} plans made, "
        f"{result.updated:,} changed, {result.unchanged:,} unchanged, "
        f"{len(result.rejected):,} rejected in {time.perf_counter() - started:.2f} s"
    )
