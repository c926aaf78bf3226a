"""A missed target carries the reason found for it, in bench/results.json and BENCHMARKS.md; a
met target carries none, and a miss nobody has explained is shown as such."""

from __future__ import annotations

import json

from bench import jobs, measure, report


def test_a_reason_is_kept_only_for_a_missed_target():
    missed = measure.metric("m", 10, "ms", floor=1, meets=False, why="because")
    met = measure.metric("m", 1, "ms", floor=1, meets=True, why="because")
    informative = measure.metric("m", 1, "ms", floor=1, meets=None, why="because")
    assert missed["reason"] == "because"
    assert "reason" not in met and "reason" not in informative


def test_a_page_has_the_floor_reason_only_when_it_misses_by_the_ratio_alone():
    limit, ratio = measure.PAGE_P95_MS, measure.PAGE_RATIO
    assert measure.page_verdict(200, 3 * ratio, 3) == (True, "")
    assert measure.page_verdict(200, 3 * ratio + 1, 3) == (False, measure.PAGE_RATIO_WHY)
    # Over the absolute limit, or an error: not explained by the floor's cost.
    assert measure.page_verdict(200, limit + 1, 3) == (False, "")
    assert measure.page_verdict(500, 5, 3) == (False, "")


def test_the_job_reasons_carry_the_run_s_own_numbers():
    assert "1.84 ms of CPU a message where plain SMTP spent 0.52 ms" in jobs.dispatch_why(1.84, 0.52)
    assert "One registration costs 4.2x one floor request in this run" in jobs.enrollment_why(4.2)


def _page(name: str, value: float, floor: float, status: int = 200) -> dict:
    meets, why = measure.page_verdict(status, value, floor)
    extra = {"p50": value, "floor_p50": floor, "samples": 5, "queries": 7, "kb": 1, "gzip_kb": 1}
    return measure.metric(
        name, value, "ms p95", floor=floor, meets=meets, why=why, kind="page", status=status, **extra
    )


def _write(tmp_path, monkeypatch, metrics: list[dict]) -> tuple[list[dict], str]:
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results.json")
    monkeypatch.setattr(report, "MARKDOWN", tmp_path / "BENCHMARKS.md")
    monkeypatch.setattr(report, "GENERATED", tmp_path / "generated.json")
    monkeypatch.setattr(report, "ROOT", tmp_path)
    machine = {"load_start": [1, 1, 1], "cpu": "", "cores": 2, "ram_gb": 1, "postgresql": "", "python": ""}
    run = {"scale": 0.1, "database": "db", "machine": machine, "started": "t"}
    report.finish_run(run, metrics, ["pages", "dispatch"])
    stored = json.loads((tmp_path / "results.json").read_text())["runs"][0]["metrics"]
    return stored, (tmp_path / "BENCHMARKS.md").read_text()


def test_the_report_gives_each_missed_target_its_reason(tmp_path, monkeypatch):
    dispatch_why = jobs.dispatch_why(1.8, 0.5)
    metrics = [
        _page("page a (x)", 5, 4),  # met
        _page("page b (x)", 20, 4),  # 5x the floor
        _page("page c (x)", 30, 4),  # 7.5x the floor
        _page("page d (x)", 400, 4),  # over 150 ms: no reason found for it
        measure.metric("dispatch of 5 e-mails", 100, "msg/s", floor=400, meets=False, why=dispatch_why),
        measure.metric("scan", 1, "s", meets=True),
    ]
    stored, written = _write(tmp_path, monkeypatch, metrics)

    assert [m["name"] for m in stored if "reason" in m] == [
        "page b (x)",
        "page c (x)",
        "dispatch of 5 e-mails",
    ]
    why = written.split("### Why targets are missed", 1)[1]
    assert f"- **2 pages over 3x the floor.** {measure.PAGE_RATIO_WHY}" in why
    assert "- **1 pages, no reason recorded:** d (x)." in why
    assert f"- **dispatch of 5 e-mails.** {dispatch_why}" in why
    assert "scan" not in why and "a (x)" not in why
    # The reason has its own list, not the jobs table's notes column.
    assert dispatch_why not in written.split("### Why targets are missed", 1)[0]


def test_a_run_that_meets_every_target_has_no_reasons(tmp_path, monkeypatch):
    _stored, written = _write(tmp_path, monkeypatch, [_page("page a (x)", 5, 4)])
    assert "Why targets are missed" not in written
