"""The benchmark's report: the figures against their targets, as JSON and Markdown."""

from __future__ import annotations


def summary(report: dict) -> dict:
    sizes = report["sizes"]
    smallest, largest = min(sizes, key=int), max(sizes, key=int)
    big = sizes[largest]
    result = {}
    if big.get("transitions", {}).get("ratio") is not None:
        result["transitions"] = big["transitions"]["ratio"]
    if big.get("transitions", {}).get("ratio_pgbench") is not None:
        result["transitions_pgbench"] = big["transitions"]["ratio_pgbench"]
    result["lists"] = {
        name: big["lists"][name]["p95_ms"] / sizes[smallest]["lists"][name]["p95_ms"]
        for name in big["lists"]
    }
    result["import"] = big.get("import_table_ratio")
    if "worker_peak_rss_mb" in big:
        result["worker_rss_mb"] = big["worker_peak_rss_mb"]
    if "outbox" in big:
        result["outbox"] = big["outbox"]["ratio"]
    if "mail" in big:
        result["mail"] = big["mail"]["ratio"]
    if "bulk" in big:
        result["bulk_seconds"] = big["bulk"]["seconds"]
    if "periods" in big:
        result["periods"] = big["periods"]["largest"]["ratio"]
        result["periods_every_agency"] = big["periods"]["every"]["ratio"]
    if "audit" in big:
        result["audit_full_seconds"] = big["audit"]["full_seconds"]
        result["audit_incremental_seconds"] = big["audit"]["incremental_seconds"]
    return result


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    largest = max(sizes, key=int)
    big = sizes[largest]
    s = summary(report)
    target = report.get("targets", {})
    mark = {True: "met", False: "**not met**", None: "n/a"}
    lines = [
        "# Alur benchmark",
        "",
        f"{report['started']} → {report['finished']}; {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}; gunicorn {report['settings']['workers']} "
        f"workers; {report['settings']['clients']} clients.",
        "",
        "## Against the targets",
        "",
        "| measure | figure | target | |",
        "|---|---|---|---|",
    ]
    if "transitions" in s:
        t = big["transitions"]
        lines.append(
            f"| API transitions ÷ raw SQL ({int(largest):,} employees) | "
            f"{t['api']['per_second']:.0f}/s ÷ {t['raw_sql']['per_second']:.0f}/s = "
            f"**{s['transitions']:.2f}** | ≥ {target['transitions']} | "
            f"{mark[s['transitions'] >= target['transitions']]} |"
        )
    if "transitions_pgbench" in s:
        t = big["transitions"]
        clients = ", ".join(f"{v:,.0f}/s with {k}" for k, v in t["pgbench"].items() if k != "best")
        lines.append(
            f"| API transitions ÷ `pgbench` of the same writes, the limit ({clients} clients) | "
            f"{t['api']['per_second']:.0f}/s ÷ {t['pgbench']['best']:,.0f}/s = "
            f"**{s['transitions_pgbench']:.2f}** | ≥ {target['transitions_pgbench']} | "
            f"{mark[s['transitions_pgbench'] >= target['transitions_pgbench']]} |"
        )
    if "split_ms" in big.get("transitions", {}):
        t = big["transitions"]
        lines.append(f"| {floors(t)} | (context) | |")
    for name, ratio in s["lists"].items():
        lines.append(
            f"| p95 {name}: {int(largest):,} ÷ {int(min(sizes, key=int)):,} | "
            f"**{ratio:.2f}** | ≤ {target['lists']} | {mark[ratio <= target['lists']]} |"
        )
    if s.get("import") is not None:
        lines.append(
            f"| import ÷ COPY of the same finished rows into `employees` ({int(largest):,} "
            f"rows) | {big['import_rows_per_s']:,.0f} ÷ {big['table_copy_rows_per_s']:,.0f} "
            f"rows/s = **{s['import']:.2f}** | ≥ {target['import']} | "
            f"{mark[s['import'] >= target['import']]} |"
        )
    if big.get("import_ratio") is not None:
        lines.append(
            f"| import ÷ plain COPY into a bare table | "
            f"{big['import_rows_per_s']:,.0f} ÷ {big['copy_rows_per_s']:,.0f} rows/s = "
            f"**{big['import_ratio']:.2f}** | (context) | |"
        )
    if big.get("import_bound") is not None:
        lines.append(
            f"| COPY of the resolved rows into `employees` ÷ plain COPY: the most any import "
            f"into `employees` can reach | {big['table_copy_rows_per_s']:,.0f} ÷ "
            f"{big['copy_rows_per_s']:,.0f} rows/s = **{big['import_bound']:.2f}** | (bound) | |"
        )
    if "outbox" in s:
        o = big["outbox"]
        workers = o.get("workers", 1)
        lines.append(
            f"| outbox ({workers} worker{'s' if workers > 1 else ''}) ÷ receiver ceiling | "
            f"{o['per_second']:.0f} ÷ {o['receiver_ceiling_per_s']:.0f}/s = "
            f"**{s['outbox']:.2f}** | ≥ {target['outbox']} | "
            f"{mark[s['outbox'] >= target['outbox']]} |"
        )
    if "mail" in s:
        m = big["mail"]
        lines.append(
            f"| notification mails ÷ SMTP sink ceiling | "
            f"{m['per_second']:.0f} ÷ {m['sink_ceiling_per_s']:.0f}/s = "
            f"**{s['mail']:.2f}** | ≥ 0.5 | {mark[s['mail'] >= 0.5]} |"
        )
        d = m["digest"]
        lines.append(
            f"| daily digest: {d['items']:,} items of {d['users']:,} users | "
            f"{d['mails']:,} mails (at most {d['most_to_one_user']} to one user) in "
            f"**{d['seconds']:.1f} s** | one a day each | "
            f"{mark[d['most_to_one_user'] <= 1]} |"
        )
        if m["notifications_per_event"] is not None:
            lines.append(
                f"| notifications written per transition (at fan-out, not on the step's path) "
                f"| **{m['notifications_per_event']:.2f}** | (context) | |"
            )
    if "bulk" in big:
        b = big["bulk"]
        lines.append(
            f"| bulk approval, PostgreSQL: {b['succeeded']:,} of {b['items']:,} | "
            f"**{b['seconds']:.1f} s** | ≤ {target['bulk_seconds']:g} s | "
            f"{mark[b['seconds'] <= target['bulk_seconds']]} |"
        )
    if "sqlite" in report:
        b = report["sqlite"]["bulk"]
        lines.append(
            f"| bulk approval, SQLite: {b['succeeded']:,} of {b['items']:,} | "
            f"**{b['seconds']:.1f} s** | ≤ {target['bulk_seconds']:g} s | "
            f"{mark[b['seconds'] <= target['bulk_seconds']]} |"
        )
    if "worker_rss_mb" in s:
        lines.append(
            f"| peak RSS of a gunicorn worker ({int(largest):,} employees) | "
            f"**{s['worker_rss_mb']:.0f} MB** | ≤ {target['worker_rss_mb']:g} MB | "
            f"{mark[s['worker_rss_mb'] <= target['worker_rss_mb']]} |"
        )
    if "audit" in big:
        a = big["audit"]
        lines.append(
            f"| full `audit verify` ({int(largest):,} employees: {a['entries']:,} audit and "
            f"{a['change_entries']:,} change entries) | **{a['full_seconds']:.1f} s** "
            f"({a['full_entries_per_s']:,.0f} entries/s; {a['full_wall_seconds']:.1f} s with "
            f"the start-up) | < 120 s | {mark[a['full_seconds'] < 120]} |"
        )
        lines.append(
            f"| `audit verify --since-checkpoint` after {a['new_entries']:,} new steps | "
            f"**{a['incremental_seconds']:.1f} s** ({a['incremental_wall_seconds']:.1f} s with "
            f"the start-up) | < 5 s | {mark[a['incremental_seconds'] < 5]} |"
        )
        if a.get("read_seconds"):
            lines.append(
                "| full verify ÷ a plain read of the log "
                f"(`COPY (SELECT * FROM audit_log) TO STDOUT`, "
                f"{a['read_seconds']:.1f} s) | **{a['full_seconds'] / a['read_seconds']:.1f}** "
                f"| (context) | |"
            )
    if "periods" in big:
        pp = big["periods"]
        for key, what in (
            ("largest", f"the largest agency ({pp['largest_staff']:,} employees)"),
            ("every", f"every agency ({pp['agencies']:,})"),
        ):
            f = pp[key]
            lines.append(
                f"| opening a period, {what}: {f['made']:,} appraisals, each with its entry and "
                f"event, ÷ a plain multi-row INSERT of the same appraisal rows | "
                f"{f['per_second']:,.0f} ÷ {f['plain_per_second']:,.0f} rows/s = "
                f"**{f['ratio']:.2f}** | ≥ 0.5 | {mark[f['ratio'] >= 0.5]} |"
            )
            lines.append(
                f"| the same ÷ a plain multi-row INSERT of the three rows each (appraisal, audit "
                f"row, event) | {f['per_second']:,.0f} ÷ {f['plain_with_log_per_second']:,.0f} "
                f"rows/s = **{f['ratio_with_log']:.2f}** | (context) | |"
            )
    lines += [
        "",
        "## Latency by size (ms)",
        "",
        "| endpoint | " + " | ".join(f"{int(k):,}: p50 / p95" for k in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name in big["lists"]:
        figures = [sizes[k]["lists"][name] for k in sizes]
        cells = [f"{f['p50_ms']:.1f} / {f['p95_ms']:.1f}" for f in figures]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Details", ""]
    for k, v in sizes.items():
        lines.append(
            f"* {int(k):,} employees ({v['agencies']} agencies, {v['units']:,} units; "
            f"records {v['records']}): import {v['import_seconds']:.1f} s "
            f"({v['import_rows_per_s']:,.0f} rows/s), seeding {v['seed_seconds']:.1f} s, "
            f"their audit history ({v['audit_entries']:,} entries) {v['history_seconds']:.1f} s"
        )
    if "transitions" in big:
        for name in ("api", "raw_sql"):
            t = big["transitions"][name]
            lines.append(
                f"* transitions via {name}: {t['done']:,} in {t['seconds']:.1f} s, "
                f"p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms, "
                f"errors {t['errors']}"
            )
        if big["transitions"].get("round_ratios"):
            ratios = ", ".join(f"{r:.2f}" for r in big["transitions"]["round_ratios"])
            lines.append(
                f"* transitions by turns ({big['transitions']['rounds']} rounds of each, "
                f"ABBA order), ratio per round: {ratios}"
            )
    if "worker_peak_rss_mb" in big:
        lines.append(f"* peak RSS of a gunicorn worker: {big['worker_peak_rss_mb']:.0f} MB")
    if "outbox" in big:
        o, cpus = big["outbox"], report.get("machine", {}).get("cpus")
        for run_ in o.get("runs", {}).values():
            lines.append(
                f"* outbox, {run_['workers']} worker(s) of {o['worker_threads']} "
                f"sending threads (batches of {o['batch']}): {run_['delivered']:,} "
                f"deliveries in {run_['seconds']:.1f} s = {run_['per_second']:.0f}/s "
                f"= {run_['per_second'] / o['receiver_ceiling_per_s']:.2f} of the "
                f"receiver's ceiling (taken with {o['ceiling_clients']} "
                "connections)"
            )
            if "cpu_us_per_delivery" in run_:
                lines.append("  " + _cpu_bound(run_["cpu_us_per_delivery"], o, cpus))
        if "receiver_cpu_us_at_ceiling" in o:
            lines.append(
                f"* the receiver at its ceiling: {o['receiver_cpu_us_at_ceiling']:.0f} µs of CPU "
                "a request, in one process"
            )
        lines.append(f"* outbox worker peak RSS: {o['worker_peak_rss_mb']:.0f} MB")
    return "\n".join(lines) + "\n"


def _cpu_bound(cpu: dict, outbox: dict, cpus: int | None) -> str:
    """What a delivery costs each process in CPU, and the pace the machine's cores allow at
    those costs (the workers, the receiver and PostgreSQL share them here)."""
    parts = ", ".join(f"{name} {us:.0f} µs" for name, us in cpu.items())
    line = f"CPU a delivery: {parts}"
    total = sum(cpu.values())
    if cpus and total > 0:
        bound = cpus / total * 1e6
        line += (
            f"; at these costs {cpus} cores deliver at most {bound:,.0f}/s = "
            f"{bound / outbox['receiver_ceiling_per_s']:.2f} of the ceiling"
        )
    return line


def floors(t: dict) -> str:
    """The floors of the stack and how a transition's time splits over them."""
    split = t["split_ms"]
    # The API can beat the raw endpoint (rounds are noisy, and a round trip is dear on a
    # loaded machine): then there is no "own work" to show, only the lead.
    alur = (
        f"Alur's own work {split['alur']:.2f}"
        if split["alur"] >= 0
        else f"Alur's own work not seen (the API was {-split['alur']:.2f} ms faster than raw SQL)"
    )
    return (
        f"floors: no token check, nothing written {t['http_floor']['per_second']:,.0f}/s; "
        f"the token check alone {t['token_floor']['per_second']:,.0f}/s. A transition's "
        f"{1000 / t['api']['per_second']:.2f} ms (server time per request, all clients): "
        f"HTTP {split['http']:.2f}, token check {split['token_check']:.2f}, writes "
        f"{split['writes']:.2f}, {alur}"
    )
