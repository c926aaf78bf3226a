"""The measurements of issue 13, on a copy of a generated database. Each number sits next to
its floor measured in the same run; results go to bench/results.json and BENCHMARKS.md."""

from __future__ import annotations

import gzip
import os
import time
from contextlib import contextmanager
from urllib.parse import urlencode

PAGE_P95_MS = 150
PAGE_RATIO = 3
PHONE_KB = 100


def metric(
    name: str,
    value,
    unit: str,
    *,
    floor=None,
    target: str = "",
    meets: bool | None = None,
    why: str = "",
    **extra,
) -> dict:
    """One result. `why`: the reason, found by profiling, why the target is out of reach here;
    kept (as `reason`) only when the target is missed."""
    ratio = round(value / floor, 2) if floor else None
    found = {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "ratio": ratio,
        "target": target,
        "meets_target": meets,
        **extra,
    }
    if meets is False and why:
        found["reason"] = why
    return found


# Why a page misses 3x the floor (profiled in process at full scale; README, "Where the targets
# stand"). Given only for that criterion: a page over the absolute limit or answering an error
# has no reason recorded, and the report says so.
PAGE_RATIO_WHY = (
    "The floor is a trivial view: it reads the session and the user and renders no template. A "
    "page also reads its rows under the visibility rules and renders them through Django's ORM "
    "and template engine (a list 25-50 rows; in admin, its changelist): profiled at full scale, "
    "that costs several times the floor's whole request in Python alone (10-60 ms for a list on "
    "the fastest machine). Only caching whole pages would bring them within 3x, and these pages "
    "differ per user and change with every write."
)


def page_verdict(status: int, p95_ms: float, floor_p95_ms: float) -> tuple[bool, str]:
    """(meets the target, the reason if it misses it only by the ratio to the floor)."""
    answered, fast = status == 200, p95_ms <= PAGE_P95_MS
    meets = answered and fast and p95_ms <= PAGE_RATIO * floor_p95_ms
    return meets, PAGE_RATIO_WHY if answered and fast and not meets else ""


@contextmanager
def count_queries():
    """Counts every SQL statement (CaptureQueriesContext keeps only the last 9,000), this
    thread's and those of connections other threads open meanwhile (the dispatcher's lanes)."""
    import threading

    from django.db import connection
    from django.db.backends.signals import connection_created

    box = {"n": 0}
    lock = threading.Lock()

    def wrapper(execute, sql, params, many, context):
        with lock:
            box["n"] += 1
        return execute(sql, params, many, context)

    def opened(sender, connection, **kwargs):
        if wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(wrapper)

    connection_created.connect(opened)
    try:
        with connection.execute_wrapper(wrapper):
            yield box
    finally:
        connection_created.disconnect(opened)


# The broker of the worker measured (and of the tasks this process publishes), as production
# runs it: Redis, the machine's (README: PostgreSQL and Redis on 127.0.0.1), unless the
# environment names one. Without it the settings' embedded default (kombu's filesystem
# transport, which polls its folder once a second) would be measured instead.
BENCH_BROKER = "redis://127.0.0.1:6379/14"


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("CELERY_BROKER_URL", os.environ.get("REDIS_URL") or BENCH_BROKER)
    import logging

    import django

    django.setup()
    # The in-process requests (query counts) would log every request line to the console.
    logging.getLogger("portal.request").setLevel(logging.WARNING)


def personas() -> dict:
    from bench.generate import PERSONAS
    from portal.models import User

    return {key: User.objects.get(username=username) for key, username in PERSONAS.items()}


def page_plan(users: dict) -> list[tuple[str, str, str]]:
    """(persona, page, path) for every page of the issue's list."""
    from django.urls import reverse

    from audits.models import AuditCase, AuditRound
    from bench.generate import TAPIN
    from meetings.models import Meeting
    from portal.models import Organisation
    from trainings.models import Training

    meeting = Meeting.objects.filter(region_id=TAPIN).order_by("pk").first()
    training = Training.objects.filter(organiser__region_id=TAPIN[:2]).order_by("pk").first()
    audit_round = AuditRound.objects.filter(kabupaten_id=TAPIN).order_by("-year", "-semester").first()
    case = AuditCase.objects.filter(round=audit_round).order_by("number").first() if audit_round else None
    dinkes = Organisation.objects.get(region_id=TAPIN, short_name="Dinas Kesehatan")

    def admin(model: str, **query) -> str:
        app, name = model.split(".")
        url = reverse(f"admin:{app}_{name}_changelist")
        return f"{url}?{urlencode(query)}" if query else url

    common = [
        ("dashboard", reverse("portal:dashboard")),
        ("meetings upcoming", reverse("meetings:index")),
        ("meetings past", reverse("meetings:index") + "?when=past"),
        ("meeting detail", meeting.get_absolute_url()),
        ("my commitments", reverse("meetings:my-commitments")),
        ("my commitments all", reverse("meetings:my-commitments") + "?show=all"),
        ("trainings", reverse("trainings:index")),
        ("training detail", training.get_absolute_url()),
        ("notifications", reverse("portal:notification-list")),
    ]
    audit = (
        [("audit round", audit_round.get_absolute_url()), ("audit case", case.get_absolute_url())]
        if case
        else []
    )
    admin_pages = [
        ("admin commitments", admin("meetings.commitment")),
        (
            "admin commitments owner+overdue",
            admin("meetings.commitment", owner__id__exact=dinkes.pk, overdue="yes"),
        ),
        ("admin commitments search", admin("meetings.commitment", q="posyandu")),
        ("admin meetings", admin("meetings.meeting")),
        ("admin meetings search+filter", admin("meetings.meeting", q="Rakor", status="held")),
        ("admin enrollments", admin("trainings.enrollment", status="confirmed")),
        ("admin enrollments search", admin("trainings.enrollment", q="camat")),
    ]
    plan = [("camat", label, url) for label, url in common]
    plan += [("dppkb", label, url) for label, url in common + audit + admin_pages]
    # An OPD focal point is not eligible for the trainings (404 on their detail, as it should be).
    plan += [("opd", label, url) for label, url in common if label != "training detail"]
    plan += [("superuser", label, url) for label, url in common[:4] + audit + admin_pages]
    plan += [("pakar", label, url) for label, url in [common[0], common[1], common[3], *audit, common[8]]]
    return plan


# The gunicorn workers the pages are measured on (2: the setup).
WORKERS = 2


def warm_up(base: str, cookie: str, paths: list[str], rounds: int = 2) -> None:
    """Each path answered by every worker before it is measured: WORKERS requests at once (a
    sync worker takes one connection at a time, so each takes one), `rounds` times. One request
    warmed one worker only; the other's first answer of a page (its templates compiled, its
    first queries of the kind) then fell among the samples: the first page measured, the
    camat's dashboard, had 7 ms p50 and 32-34 ms p95 so."""
    from bench.server import at_once, http_session, timed_get

    for url in [base + path for path in paths for _ in range(rounds)]:
        at_once([lambda url=url: timed_get(http_session(cookie), url)] * WORKERS)


def measure_pages(base: str, users: dict, repeat: int, budget_s: float = 40.0, plan=None) -> list[dict]:
    """Each page: warm up, then alternate page and floor requests (the same load on both)."""
    from django.test import Client

    from bench.server import http_session, p50, p95, session_cookie, timed_get
    from bench.urls import FLOOR_PATH

    cookies = {key: session_cookie(user) for key, user in users.items()}
    results = []
    for persona, label, path in plan if plan is not None else page_plan(users):
        session = http_session(cookies[persona])
        page, floor = [], []
        warm_up(base, cookies[persona], [path, FLOOR_PATH])
        started = time.monotonic()
        for i in range(repeat):
            ms, response = timed_get(session, base + path)
            page.append(ms)
            floor.append(timed_get(session, base + FLOOR_PATH)[0])
            if i >= 4 and time.monotonic() - started > budget_s:
                break
        body = response.content
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[persona])
        client.get(path)
        with count_queries() as queries:
            client.get(path)
        raw_kb, gz_kb = round(len(body) / 1024, 1), round(len(gzip.compress(body, 6)) / 1024, 1)
        page_p95, floor_p95 = p95(page), p95(floor)
        meets, why = page_verdict(response.status_code, page_p95, floor_p95)
        results.append(
            metric(
                f"page {label} ({persona})",
                page_p95,
                "ms p95",
                floor=floor_p95,
                target=f"p95 <= {PAGE_P95_MS} ms and <= {PAGE_RATIO}x floor",
                meets=meets,
                why=why,
                kind="page",
                p50=p50(page),
                floor_p50=p50(floor),
                samples=len(page),
                queries=queries["n"],
                kb=raw_kb,
                gzip_kb=gz_kb,
                status=response.status_code,
                path=path,
                phone_ok=gz_kb < PHONE_KB,
            )
        )
        print(
            f"  {label + ' (' + persona + ')':<48} p50 {p50(page):8.1f}  p95 {page_p95:8.1f} ms  floor p95 {floor_p95:6.1f}"
            f"  {queries['n']:3d} q  {raw_kb:8.1f} KB ({gz_kb:6.1f} gz)  {response.status_code}",
            flush=True,
        )
    return results


def pick_pages(plan: list[tuple[str, str, str]], words: list[str]) -> list[tuple[str, str, str]]:
    """The pages whose name, "label (persona)", contains one of `words` (all when none)."""
    if not words:
        return plan
    return [p for p in plan if any(word in f"{p[1]} ({p[0]})" for word in words)]


def measure_all(*, scale: float, repeat: int, only: list[str], pages: list[str] | None = None) -> None:
    setup_django()
    from bench import jobs, report
    from bench.server import gunicorn

    groups = only or ["pages", "scan", "dispatch", "regions", "xlsx", "enrollment"]
    run = report.start_run(scale)
    metrics: list[dict] = []
    users = personas()
    jobs.prepare_settings()
    print(
        f"bench: measuring scale {scale:g} ({', '.join(groups)}); load {run['machine']['load_start']}",
        flush=True,
    )
    if {"pages", "enrollment"} & set(groups):
        with gunicorn(workers=WORKERS) as base:
            if "pages" in groups:
                plan = pick_pages(page_plan(users), pages or [])
                metrics += measure_pages(base, users, repeat, plan=plan)
            if "enrollment" in groups:
                metrics += jobs.measure_enrollment(base)
    # These write to the copy (regions roll back), so they run after the pages.
    if "regions" in groups:
        metrics += jobs.measure_regions()
    if "scan" in groups:
        metrics += jobs.measure_scan()
    if "dispatch" in groups:
        metrics += jobs.measure_dispatch()
    if "xlsx" in groups:
        metrics += jobs.measure_xlsx(users["dppkb"])
    report.finish_run(run, metrics, groups, some_pages=bool(pages) and "pages" in groups)
