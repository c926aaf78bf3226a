"""`--pages`: measure some pages only; the others keep their last numbers in the results."""

from __future__ import annotations

import json

from bench import measure, report

PLAN = [
    ("camat", "meetings upcoming", "/meetings/"),
    ("dppkb", "meeting detail", "/meetings/1/"),
    ("dppkb", "admin meetings", "/admin/meetings/meeting/"),
    ("dppkb", "dashboard", "/"),
]


def test_pages_are_chosen_by_a_word_of_their_name():
    assert measure.pick_pages(PLAN, []) == PLAN
    assert measure.pick_pages(PLAN, ["meeting"]) == PLAN[:3]
    assert measure.pick_pages(PLAN, ["dashboard (dppkb)", "detail"]) == [PLAN[1], PLAN[3]]


def test_a_run_of_some_pages_replaces_only_their_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results.json")
    monkeypatch.setattr(report, "MARKDOWN", tmp_path / "BENCHMARKS.md")
    monkeypatch.setattr(report, "GENERATED", tmp_path / "generated.json")
    monkeypatch.setattr(report, "ROOT", tmp_path)

    def page(name: str, value: float) -> dict:
        extra = {"p50": value, "floor_p50": 9, "samples": 5, "queries": 7, "kb": 1, "gzip_kb": 1}
        return measure.metric(
            name, value, "ms p95", floor=10, meets=False, kind="page", status=200, path="/", **extra
        )

    old = [page("page a (x)", 20), page("page b (x)", 30)]
    machine = {"load_start": [1, 1, 1], "cpu": "", "cores": 2, "ram_gb": 1, "postgresql": "", "python": ""}

    def run():
        return {"scale": 0.1, "database": "db", "machine": dict(machine), "started": "t"}

    report.finish_run(run(), old, ["pages"])
    report.finish_run(run(), [page("page b (x)", 5)], ["pages"], some_pages=True)

    metrics = json.loads((tmp_path / "results.json").read_text())["runs"][0]["metrics"]
    assert [(m["name"], m["value"]) for m in metrics] == [("page a (x)", 20), ("page b (x)", 5)]
