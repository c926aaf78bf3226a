"""bench/results.json (one run per scale, each a list of metric objects) and BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
GENERATED = ROOT / "bench" / "generated.json"
MARKDOWN = ROOT / "BENCHMARKS.md"


def machine() -> dict:
    from django.db import connection

    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), ""
    )
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem / 1024 / 1024, 1),
        "postgresql": pg,
        "python": platform.python_version(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
    }


def start_run(scale: float) -> dict:
    from bench.db import bench_name

    return {"scale": scale, "database": bench_name(scale), "machine": machine(), "started": _now()}


def finish_run(run: dict, metrics: list[dict], groups: list[str], *, some_pages: bool = False) -> None:
    """`some_pages`: only some pages were measured (--pages); the others keep their last numbers."""
    run["machine"]["load_end"] = [round(x, 2) for x in os.getloadavg()]
    for m in metrics:
        m.setdefault("load", run["machine"]["load_start"])  # partial runs merge: each metric keeps its own
    run["finished"] = _now()
    run["groups"] = groups
    generated = json.loads(GENERATED.read_text()) if GENERATED.exists() else {}
    run["generation"] = generated.get(run["database"])
    runs = json.loads(RESULTS.read_text())["runs"] if RESULTS.exists() else []
    previous = next((r for r in runs if r["scale"] == run["scale"]), None)
    if previous and some_pages:
        # Each measured page replaces its own metric, in place.
        fresh = {m["name"]: m for m in metrics}
        metrics = [fresh.pop(m["name"], m) for m in previous["metrics"]] + list(fresh.values())
        run["groups"] = sorted(set(groups) | set(previous.get("groups", [])))
    elif previous and set(groups) != set(previous.get("groups", [])):
        # A partial run (--only) replaces only its own groups' metrics.
        kept = [m for m in previous["metrics"] if _group(m) not in groups]
        metrics = kept + metrics
        run["groups"] = sorted(set(groups) | set(previous.get("groups", [])))
    part = {
        "groups": groups,
        "started": run["started"],
        "finished": run["finished"],
        "load_start": run["machine"]["load_start"],
        "load_end": run["machine"]["load_end"],
    }
    earlier = [p for p in (previous or {}).get("parts", []) if not set(p["groups"]) <= set(groups)]
    run["parts"] = [*earlier, part] if previous and run["groups"] != groups else [part]
    run["metrics"] = metrics
    runs = sorted([r for r in runs if r["scale"] != run["scale"]] + [run], key=lambda r: r["scale"])
    RESULTS.write_text(json.dumps({"runs": runs}, indent=1, ensure_ascii=False) + "\n")
    MARKDOWN.write_text(markdown(runs))
    print(f"bench: wrote {RESULTS.relative_to(ROOT)} and {MARKDOWN.relative_to(ROOT)}")


def _group(m: dict) -> str:
    name = m["name"]
    if m.get("kind") == "page":
        return "pages"
    for key, group in (
        ("import_regions", "regions"),
        ("XLSX", "xlsx"),
        ("scan", "scan"),
        ("dispatch", "dispatch"),
    ):
        if key in name:
            return group
    return "enrollment"


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(runs: list[dict]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/report.py) from `bench/results.json`; see README, *Benchmarks*.",
        "Each number sits next to its floor measured in the same run: for pages a trivial view on the same",
        "gunicorn (2 workers, DEBUG off, production settings), requested alternately with the page. The machine",
        "is shared (2 cores, other jobs running): the load average is part of every result.",
        "",
    ]
    for run in sorted(runs, key=lambda r: -r["scale"]):
        lines += _run_section(run)
    return "\n".join(lines) + "\n"


def _run_section(run: dict) -> list[str]:
    m, gen = run["machine"], run.get("generation") or {}
    lines = [
        f"## Scale {run['scale']:g} ({run['scale'] * 100:g}% of national), database `{run['database']}`",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; PostgreSQL {m['postgresql']}; "
        f"Python {m['python']}",
    ]
    for part in run.get("parts", []):
        lines.append(
            f"- Measured {', '.join(part['groups'])}: {part['started']} – {part['finished']}, "
            f"load {part['load_start']} → {part['load_end']}"
        )
    if gen:
        steps = ", ".join(f"{k} {v:g} s" for k, v in gen.get("steps_s", {}).items())
        lines.append(
            f"- Generated {gen.get('generated_at')} in {gen.get('total_s')} s (migrate {gen.get('migrate_s')} s; {steps}); "
            f"size {gen.get('size')}"
        )
    pages = [x for x in run["metrics"] if x.get("kind") == "page"]
    other = [x for x in run["metrics"] if x.get("kind") != "page"]
    if pages:
        lines += [
            "",
            "### Pages",
            "",
            "| page (persona) | p50 ms | p95 ms | floor p95 ms | x floor | queries | KB | KB gzip | meets target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for x in pages:
            verdict = (
                "yes"
                if x["meets_target"]
                else ("**no**" if x["status"] == 200 else f"**HTTP {x['status']}**")
            )
            if x["status"] == 200 and not x.get("phone_ok", True):
                verdict += " (over 100 KB gzip)"
            lines.append(
                f"| {x['name'][5:]} | {_fmt(x['p50'])} | {_fmt(x['value'])} | {_fmt(x['floor'])} | {_fmt(x['ratio'])} "
                f"| {x['queries']} | {_fmt(x['kb'])} | {_fmt(x['gzip_kb'])} | {verdict} |"
            )
        lines += [
            "",
            "Target: p95 at most 150 ms and at most 3x the floor; under 100 KB gzip on phone pages.",
        ]
    if other:
        lines += [
            "",
            "### Jobs",
            "",
            "| metric | value | unit | floor | ratio | target | meets target | load | notes |",
            "|---|---:|---|---:|---:|---|---|---|---|",
        ]
        for x in other:
            notes = "; ".join(
                f"{k} {v}"
                for k, v in x.items()
                if k
                not in (
                    "name",
                    "value",
                    "unit",
                    "floor",
                    "ratio",
                    "target",
                    "meets_target",
                    "kind",
                    "load",
                    "reason",
                )
            )
            lines.append(
                f"| {x['name']} | {_fmt(x['value'])} | {x['unit']} | {_fmt(x['floor'])} | {_fmt(x['ratio'])} "
                f"| {x['target']} | {_verdict(x['meets_target'])} | {x.get('load', '')} | {notes} |"
            )
    return [*lines, *_why_missed(run["metrics"]), ""]


def _why_missed(metrics: list[dict]) -> list[str]:
    """Each missed target with its reason (`reason`, from the measurement); pages sharing one
    reason are counted together. A miss without a reason is listed as such: it is not
    explained yet."""
    missed = [x for x in metrics if x.get("meets_target") is False]
    if not missed:
        return []
    lines = ["", "### Why targets are missed", ""]
    pages = [x for x in missed if x.get("kind") == "page"]
    by_reason: dict[str, list[str]] = {}
    for x in pages:
        by_reason.setdefault(x.get("reason", ""), []).append(x["name"][5:])
    for reason, names in by_reason.items():
        if reason:
            lines.append(f"- **{len(names)} pages over 3x the floor.** {reason}")
        else:
            lines.append(f"- **{len(names)} pages, no reason recorded:** {', '.join(names)}.")
    for x in missed:
        if x.get("kind") != "page":
            lines.append(f"- **{x['name']}.** {x.get('reason') or 'No reason recorded.'}")
    return lines


def _verdict(meets: bool | None) -> str:
    return "–" if meets is None else "yes" if meets else "**no**"
