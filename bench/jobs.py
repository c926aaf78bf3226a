"""Measurements other than pages: region import vs COPY, XLSX import, the reminder scan, the
dispatcher vs plain SMTP, and registrations at once vs the floor at once."""

from __future__ import annotations

import asyncio
import io
import logging
import smtplib
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from .measure import count_queries, metric

SCAN_TARGET_S = 5
DISPATCH_MIN_RATE = 200
REGIONS_TARGET_S = 15
XLSX_MIN_RATE = 2000


# Why the first beat of the scan or the XLSX confirm may miss its target (both met on the
# fastest machine of this kind, 3.7 s and 2,708 rows/s; profiled there and on 2026-11-29).
SCAN_WHY = (
    "Met on the fastest machines of this kind (3.44 s on 2026-11-29, 3.7 s before); a first beat "
    "reconciles every commitment, meeting and training in the window. Profiled: the commitment "
    "rule 1.8-2.3 s of SQL (its temporary tables, one upsert, the stale rows cancelled), the "
    "meeting and training rules' Python and inserts about 1.5 s, on PostgreSQL's default 128 MB "
    "of shared buffers. Later beats are incremental and take a third to a half of it."
)
XLSX_WHY = (
    "Met in most runs on this kind of machine (2,802 rows/s on 2026-11-30; 2,157 on a copy "
    "measured alone). Profiled: import-export's work a row with each row's full_clean about "
    "0.2 ms, the bulk inserts (portal.bulk) about 0.03 ms a row in Python, and PostgreSQL's "
    "inserts into the commitments' 16 indexes (the description's trigram index among them) and "
    "the commit about 0.1 ms a row, more on a copy whose indexes are not yet cached; reading "
    "the file (python-calamine) takes 0.06 s."
)


class _Rollback(Exception):
    pass


def prepare_settings() -> None:
    """No quiet hours in the copy (quiet hours would hold every e-mail at night, WITA)."""
    from datetime import time as clock

    from portal.models import ReminderSettings

    cfg = ReminderSettings.load()
    cfg.quiet_start = cfg.quiet_end = clock(0, 0)
    cfg.save()


def measure_regions(path: Path | None = None) -> list[dict]:
    """import_regions of the national file into an empty region table (fresh), and again
    (unchanged); floor: COPY of the same rows. In one transaction rolled back at the end
    (foreign keys are deferred, so the regions can be emptied meanwhile)."""
    from portal.models import Region
    from portal.regions import import_file, read_file

    path = path or Path(settings.WILAYAH_DIR) / "regions-all.csv.gz"
    times = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute(f"DELETE FROM {Region._meta.db_table}")  # noqa: S608 - a model's table
            start = time.perf_counter()
            rows = read_file(path)
            times["read"] = time.perf_counter() - start
            savepoint = transaction.savepoint()
            start = time.perf_counter()
            with (
                connection.connection.cursor() as cursor,
                cursor.copy(
                    f"COPY {Region._meta.db_table} (code, name, level, parent_id) FROM STDIN"
                ) as copy,
            ):
                for row in rows:
                    copy.write_row((row.code, row.name, row.level, row.parent_code or None))
            times["copy"] = time.perf_counter() - start
            transaction.savepoint_rollback(savepoint)
            start = time.perf_counter()
            created = import_file(path).created
            times["fresh"] = time.perf_counter() - start
            start = time.perf_counter()
            import_file(path)
            times["again"] = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    fresh, copy_s = round(times["fresh"], 2), round(times["copy"], 2)
    print(f"  import_regions fresh {fresh} s ({created} rows), again {times['again']:.2f} s, COPY {copy_s} s")
    return [
        metric(
            f"import_regions {path.name} (fresh)",
            fresh,
            "s",
            floor=copy_s,
            target=f"<= {REGIONS_TARGET_S} s and <= 10x COPY",
            meets=fresh <= REGIONS_TARGET_S and fresh <= 10 * copy_s,
            kind="job",
            rows=created,
            read_s=round(times["read"], 2),
        ),
        metric(
            f"import_regions {path.name} (again, unchanged)",
            round(times["again"], 2),
            "s",
            floor=copy_s,
            target=f"<= {REGIONS_TARGET_S} s",
            meets=times["again"] <= REGIONS_TARGET_S,
            kind="job",
        ),
    ]


def commitments_xlsx(user, rows: int) -> bytes:
    from openpyxl import Workbook

    from meetings.commitments.models import Commitment

    meetings = list(Commitment.meeting_choices(user).order_by("pk").values_list("pk", flat=True)[:500])
    owners = list(Commitment.owner_choices(user).order_by("pk").values_list("pk", flat=True)[:50])
    today = timezone.localdate()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["id", "meeting", "description", "intervention_type", "owner", "pic", "due_date", "status"])
    for i in range(rows):
        due = today + timedelta(days=7 + i % 90)
        sheet.append(
            [
                "",
                meetings[i % len(meetings)],
                f"RTL impor {i}: kunjungan rumah balita berisiko",
                "spesifik",
                owners[i % len(owners)],
                "",
                due.isoformat(),
                "open",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measure_xlsx(user, rows: int = 10_000) -> list[dict]:
    """The admin's import: read the file with the admin's XLSX format, preview (dry run), confirm."""
    from django.contrib import admin

    from meetings.commitments.models import Commitment
    from meetings.commitments.resources import CommitmentResource

    data = commitments_xlsx(user, rows)
    xlsx = next(
        f for f in admin.site.get_model_admin(Commitment).get_import_formats() if f().get_title() == "xlsx"
    )
    start = time.perf_counter()
    dataset = xlsx().create_dataset(data)
    read_s = time.perf_counter() - start
    results = {}
    for step, dry in (("preview", True), ("confirm", False)):
        start = time.perf_counter()
        with count_queries() as queries:
            result = CommitmentResource(user=user).import_data(dataset, dry_run=dry, user=user)
        results[step] = (time.perf_counter() - start + read_s, queries["n"], result.has_errors())
    out = []
    for step, (seconds, queries, errors) in results.items():
        rate = round(rows / seconds)
        print(
            f"  xlsx import {step}: {rows} rows in {seconds:.1f} s = {rate}/s, {queries} queries, errors {errors}"
        )
        out.append(
            metric(
                f"XLSX import of {rows:,} commitments ({step})",
                rate,
                "rows/s",
                floor=round(rows / read_s),
                target=f">= {XLSX_MIN_RATE} rows/s",
                meets=rate >= XLSX_MIN_RATE and not errors,
                why=XLSX_WHY if not errors else "",
                kind="job",
                seconds=round(seconds, 1),
                queries=queries,
                errors=errors,
                note="floor: reading the XLSX alone (rows/s)",
            )
        )
    return out


# The beats measured: the first run (a portal's start: the outbox holds no reminder yet), the
# next beat (incremental), and a first beat again over the outbox the first run left, as after
# a change of the reminder settings or lead times (every candidate and the pending rows due
# soon reconciled, the slices started again).
SCAN_BEATS = ("first run", "next beat", "after a settings change")


def measure_scan() -> list[dict]:
    """The beat's scan task as a worker runs it, each of SCAN_BEATS; floor: the one set-based
    query that finds the open commitments due within 7 days."""
    from meetings.commitments.models import Commitment
    from portal.models import ReminderScan
    from portal.tasks import scan_reminders

    today = timezone.localdate()
    start = time.perf_counter()
    due = Commitment.objects.open().filter(due_date__range=(today, today + timedelta(days=7))).count()
    floor_s = round(time.perf_counter() - start, 3)
    out = []
    for label in SCAN_BEATS:
        if label == "after a settings change":
            ReminderScan.objects.update(fingerprint="")  # what a change of the settings does
        start = time.perf_counter()
        with count_queries() as queries:
            sources = scan_reminders()
        seconds = round(time.perf_counter() - start, 2)
        print(f"  reminder scan {label}: {seconds} s, {queries['n']} queries, {sources} sources")
        out.append(
            metric(
                f"reminder scan per beat ({label})",
                seconds,
                "s",
                floor=floor_s,
                target=f"<= {SCAN_TARGET_S} s",
                meets=seconds <= SCAN_TARGET_S,
                why=SCAN_WHY if label != "next beat" else "",
                kind="job",
                queries=queries["n"],
                sources=sources,
                note=f"floor: one set-based count of open commitments due within 7 days ({due})",
            )
        )
    return out


class _Sink:
    def __init__(self):
        self.count = 0
        self.last = b""

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.last = envelope.original_content or envelope.content
        return "250 OK"


class _Relay(_Sink):
    """A relay a network away: it answers MAIL, RCPT and DATA each after `delay` seconds."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_MAIL(self, server, session, envelope, address, options):
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def _plain_smtp(port: int, body: bytes, messages: int, runs: int = 3) -> tuple[float, float]:
    """The floor: (seconds, CPU seconds of this process) plain smtplib takes to send `body`
    `messages` times over one connection; the median of `runs` runs (one run of 500 lasts
    under half a second, and single runs moved by a third on the same machine)."""
    measured = []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for _ in range(messages):
                smtp.sendmail("noreply@portal-tpps.local", ["someone@bench.invalid"], body)
        measured.append((time.perf_counter() - start, time.process_time() - cpu_start))
    return sorted(measured)[len(measured) // 2]


def dispatch_why(cpu_ms: float, floor_cpu_ms: float) -> str:
    """Why the dispatcher stays under half of plain SMTP, with this run's CPU a message."""
    return (
        "Plain smtplib resends ready bytes over one connection: the test server's four answers "
        "and nothing else. Each of our messages is rendered from its templates for its recipient, "
        "built and written out by Django's e-mail classes, and marked sent in a committed "
        "statement before the next one goes out on its connection (so a killed worker never "
        f"sends one twice), claimed in batches of 50. This process (with the test server in it) "
        f"spent {cpu_ms} ms of CPU a message where plain SMTP spent {floor_cpu_ms} ms; the lanes "
        "overlap the waits but share one interpreter lock, so the CPU sets the pace. Profiled on "
        "2026-11-29: render 0.13 ms, Django's message 0.09 ms and its bytes 0.08 ms, the claim "
        "0.17 ms and the mark's round trip 0.45 ms a message; the rest is smtplib, psycopg and "
        "the server's share of the interpreter."
    )


RELAY_DELAY_MS = 5


def measure_relay(mail: dict, messages: int = 200) -> dict:
    """The dispatcher (its SMTP connections at once) vs plain smtplib over one connection, both
    to a relay answering after RELAY_DELAY_MS: where a remote relay's latency, not our work,
    sets the pace. Informative (the issue's target is the local server's)."""
    from aiosmtpd.controller import Controller
    from django.test import override_settings

    from portal.notifications.engine import dispatch, send_lanes

    relay = _Relay(RELAY_DELAY_MS / 1000)
    controller = Controller(relay, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        _queue(messages, "relay")
        with override_settings(**{**mail, "EMAIL_PORT": controller.port}):
            start = time.perf_counter()
            sent = dispatch(budget_seconds=600)
            seconds = time.perf_counter() - start
        plain_s, _cpu_s = _plain_smtp(controller.port, relay.last, messages)
    finally:
        controller.stop()
    rate, plain = round(sent / seconds, 1), round(messages / plain_s, 1)
    print(
        f"  dispatch to a relay ({RELAY_DELAY_MS} ms a reply): {sent} sent = {rate}/s; plain smtplib {plain}/s"
    )
    return metric(
        f"dispatch of {messages:,} e-mails to a relay answering in {RELAY_DELAY_MS} ms",
        rate,
        "msg/s",
        floor=plain,
        target="informative",
        meets=None,
        kind="job",
        sent=sent,
        connections=send_lanes(),
        note="MAIL, RCPT and DATA each answered after the delay; floor: plain smtplib, one connection",
    )


def measure_dispatch(messages: int = 500) -> list[dict]:
    """The dispatcher sending `messages` due e-mails (test_message) to a local aiosmtpd, vs plain
    smtplib sending the same bytes over one connection to the same server."""
    from aiosmtpd.controller import Controller
    from django.test import override_settings

    from portal.models import Notification
    from portal.notifications.engine import dispatch

    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    # The test server logs every SMTP command at INFO (in this process, through the JSON
    # formatter): that measured its logging, for the dispatcher and the floor alike.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    try:
        now = timezone.now()
        # Whatever the scan scheduled waits: only the messages made here are due.
        Notification.objects.filter(state=Notification.State.SCHEDULED).update(
            send_at=now + timedelta(days=365)
        )
        # What autovacuum does after a mass update on a live database: without it the first
        # claim reads every dead index entry that update just left behind.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f'VACUUM (ANALYZE) "{Notification._meta.db_table}"')
        _queue(messages, "bench")
        mail = {
            "EMAIL_BACKEND": "portal.mail.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
        with override_settings(**mail):
            start, cpu_start = time.perf_counter(), time.process_time()
            with count_queries() as queries:
                sent = dispatch(budget_seconds=600)
            seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
        received = sink.count
        plain_s, floor_cpu_s = _plain_smtp(port, sink.last, messages)
        worker_sent, worker_s = _through_a_worker(messages, port)
        relay = measure_relay(mail, messages=min(messages, 200))
    finally:
        controller.stop()
        server_log.setLevel(level)
    rate, plain = round(sent / seconds, 1), round(messages / plain_s, 1)
    worker_rate = round(worker_sent / worker_s, 1)
    cpu_ms = round(cpu_s * 1000 / max(sent, 1), 2)
    floor_cpu_ms = round(floor_cpu_s * 1000 / messages, 2)
    why = dispatch_why(cpu_ms, floor_cpu_ms)
    print(
        f"  dispatch: {sent} sent ({received} received) in {seconds:.1f} s = {rate}/s; plain smtplib {plain}/s"
    )
    print(f"  dispatch through a worker: {worker_sent} sent in {worker_s:.1f} s = {worker_rate}/s")
    return [
        metric(
            f"dispatch of {messages:,} e-mails to local SMTP",
            rate,
            "msg/s",
            floor=plain,
            target=f">= {DISPATCH_MIN_RATE}/s and >= 0.5x plain SMTP",
            meets=rate >= DISPATCH_MIN_RATE and rate >= 0.5 * plain,
            why=why if rate >= DISPATCH_MIN_RATE else "",
            kind="job",
            sent=sent,
            received=received,
            queries=queries["n"],
            cpu_ms_a_message=cpu_ms,
            floor_cpu_ms_a_message=floor_cpu_ms,
            note="floor: plain smtplib, one connection, same bytes (median of 3 runs)",
        ),
        metric(
            f"dispatch of {messages:,} e-mails through a worker (production path)",
            worker_rate,
            "msg/s",
            floor=plain,
            target=f">= {DISPATCH_MIN_RATE}/s and >= 0.5x plain SMTP",
            meets=worker_rate >= DISPATCH_MIN_RATE and worker_rate >= 0.5 * plain,
            why=why if worker_rate >= DISPATCH_MIN_RATE else "",
            kind="job",
            sent=worker_sent,
            note="notify() x N in one transaction; from its commit until a `celery worker` "
            f"(--concurrency=2, broker {_broker()}) has marked all sent, after a first batch of "
            f"{WORKER_WARM_UP} (not measured); floor: plain smtplib (median of 3 runs)",
        ),
        relay,
    ]


def _queue(messages: int, tag: str) -> tuple[str, datetime]:
    """`messages` due e-mails (test_message), made in one transaction as an app would; returns
    the prefix of their rule and the moment of the commit (before its tasks are published)."""
    from portal.models import Notification, User
    from portal.notifications import notify

    people = list(User.objects.filter(is_active=True, is_superuser=False).order_by("pk")[:messages])
    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(timezone.now()))  # runs before notify's
        for i in range(messages):
            notify(
                rule=f"test_message:{tag}{i}",
                recipients=[people[i % len(people)]],
                context={"url": "/notifications/"},
                channels=[Notification.Channel.EMAIL],
            )
    return f"test_message:{tag}", committed[0]


def _through_a_worker(messages: int, smtp_port: int) -> tuple[int, float]:
    """The production path: a real `celery worker` process (as the systemd unit runs it) on
    this database and broker sends what `notify` queued on commit. Returns (sent, seconds
    from the commit until every row is sent)."""
    import os
    import subprocess
    import sys

    from portal.celery import app

    from .server import ROOT

    db = connection.settings_dict  # this process's database (a test's is not DATABASE_URL's)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "False",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "False",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        # No beat: the worker sends only what the on-commit tasks ask for.
    }
    log = ROOT / "var" / "test" / "bench-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    app.control.purge()  # tasks the in-process measurement published (their rows are sent)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
             "--concurrency=2", "--without-mingle", "--without-gossip", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while b" ready." not in log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {log}")
            time.sleep(0.2)
        # A first batch, not measured: a worker runs for days, and its first task pays what
        # every later one finds ready (database connections, compiled templates, imports).
        _wait_sent(_queue(min(WORKER_WARM_UP, messages), "warm-up")[0])
        prefix, committed = _queue(messages, "worker")
        done, last = _wait_sent(prefix)
        # Until the last row's *sent* mark (the worker's clock, the same machine's): polling
        # the count adds up to one poll interval and competes for the CPU it measures.
        return done, (last - committed).total_seconds() if last else 0.0
    finally:
        worker.terminate()
        worker.wait(60)


WORKER_WARM_UP = 50


def _broker() -> str:
    """The broker's transport and database (e.g. redis db 14), without any password."""
    from urllib.parse import urlsplit

    url = urlsplit(settings.CELERY_BROKER_URL)
    return f"{url.scheme} {url.hostname or ''}{url.path}".strip()


def _wait_sent(rule_prefix: str, timeout: float = 600) -> tuple[int, datetime | None]:
    """Wait until the worker has sent every row of `rule_prefix` (or the timeout); returns how
    many it sent and the last one's sent_at."""
    from django.db.models import Count, Max

    from portal.models import Notification

    rows = Notification.objects.filter(rule__startswith=rule_prefix)
    total = rows.count()
    deadline = time.monotonic() + timeout
    while True:
        sent = rows.filter(state=Notification.State.SENT).aggregate(n=Count("pk"), last=Max("sent_at"))
        if sent["n"] >= total or time.monotonic() > deadline:
            return sent["n"], sent["last"]
        time.sleep(0.05)


def _free_port() -> int:
    from .server import free_port

    return free_port()


def _registrants(count: int, tag: str) -> list:
    """New camat accounts in Tapin's kecamatan (eligible by default), each logged in."""
    from bench.generate import TAPIN
    from portal.models import Region, RoleAssignment, User
    from portal.roles import Role

    kecamatan = list(Region.objects.filter(parent_id=TAPIN).values_list("code", flat=True))
    people = User.objects.bulk_create(
        [
            User(username=f"{tag}-{i}", full_name=f"Peserta {tag} {i}", email=f"{tag}-{i}@bench.invalid")
            for i in range(count)
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=p, role=Role.CAMAT, region_id=kecamatan[i % len(kecamatan)])
            for i, p in enumerate(people)
        ]
    )
    return people


def _training(capacity: int, tag: str):
    from portal.models import Organisation
    from trainings.models import Training

    today, now = timezone.localdate(), timezone.now()
    return Training.objects.create(
        title=f"Bench {tag}",
        organiser=Organisation.objects.get(region_id="63", kind=Organisation.Kind.BKKBN),
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=31),
        capacity=capacity,
        registration_opens=now - timedelta(days=1),
        registration_closes=now + timedelta(days=20),
        venue="Aula",
    )


def _post(base: str, path: str, cookie: str) -> tuple[float, int]:
    from .server import http_session

    session = http_session(cookie)
    secret = get_random_string(32)
    session.cookies.set(settings.CSRF_COOKIE_NAME, secret)
    start = time.perf_counter()
    response = session.post(
        base + path, data={"csrfmiddlewaretoken": secret}, allow_redirects=False, timeout=300
    )
    return (time.perf_counter() - start) * 1000, response.status_code


def _open(url: str, cookie: str) -> None:
    from .server import http_session, timed_get

    _ms, response = timed_get(http_session(cookie), url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code} to a registrant")


def enrollment_why(one_ratio: float) -> str:
    """Why the crowd of registrations stays over 1.5x the crowd of floor requests."""
    return (
        "The server has two sync gunicorn workers: two requests run at a time and the rest wait in "
        "its queue, so a crowd's p95 is about half the crowd times one request's cost, for the floor "
        "as for the registrations, and the ratio of the crowds follows that of one request each. "
        f"One registration costs {one_ratio}x one floor request in this run: a durable transaction "
        "of 10 queries (the checks, the training's row lock taken last, the seat count, the "
        "enrollment and its history, one message per kind) against the floor's session and user "
        "reads. Moving the messages out of the transaction, committing without waiting for the "
        "log, or a seat counter every path must keep exact would trade a lost message or a "
        "miscounted seat for it (README, *Where the targets stand*)."
    )


def measure_enrollment(base: str, crowd: int = 200, seats: int = 50, single: int = 20) -> list[dict]:
    from django.urls import reverse

    from trainings.models import Enrollment

    from .server import at_once, http_session, p95, session_cookie, timed_get
    from .urls import FLOOR_PATH

    tag = f"reg{int(time.time())}"
    people = _registrants(crowd + single, tag)
    cookies = [session_cookie(p) for p in people]
    full = _training(seats, f"{tag} crowd")
    path = reverse("trainings:register", args=[full.pk])
    floor_cookie = cookies[-1]
    floor = [
        ms
        for ms, _s in at_once(
            [lambda: (timed_get(http_session(floor_cookie), base + FLOOR_PATH)[0], 200)] * crowd
        )
    ]
    # As a person registers: from the training's page, opened first (not measured). It is
    # also their first page since logging in, which reads their rights into the shared cache
    # (USER_CACHE_SECONDS) as any first page does; the floor's requests are one user's.
    for cookie in cookies[:crowd]:
        _open(base + full.get_absolute_url(), cookie)
    crowd_results = at_once([lambda c=c: _post(base, path, c) for c in cookies[:crowd]])
    confirmed = Enrollment.objects.filter(training=full, status=Enrollment.Status.CONFIRMED).count()
    statuses = sorted({s for _ms, s in crowd_results})
    crowd_p95, floor_p95 = p95([ms for ms, _s in crowd_results]), p95(floor)
    roomy = _training(single * 2, f"{tag} single")
    path = reverse("trainings:register", args=[roomy.pk])
    one, one_floor = [], []
    for cookie in cookies[crowd:]:
        _open(base + roomy.get_absolute_url(), cookie)
        one.append(_post(base, path, cookie)[0])
        one_floor.append(timed_get(http_session(cookie), base + FLOOR_PATH)[0])
    print(
        f"  enrollment: {confirmed} confirmed of {crowd} at once for {seats} seats (statuses {statuses}); "
        f"p95 {crowd_p95} ms vs floor at once {floor_p95} ms; single p95 {p95(one)} ms"
    )
    one_ratio = round(p95(one) / p95(one_floor), 1) if p95(one_floor) else None
    return [
        metric(
            f"{crowd} registrations at once for {seats} seats",
            crowd_p95,
            "ms p95",
            floor=floor_p95,
            target=f"exactly {seats} confirmed; p95 <= 1.5x {crowd} floor requests at once",
            meets=confirmed == seats and crowd_p95 <= 1.5 * floor_p95,
            why=enrollment_why(one_ratio) if confirmed == seats and one_ratio else "",
            kind="job",
            confirmed=confirmed,
            statuses=statuses,
        ),
        metric(
            "single registration",
            p95(one),
            "ms p95",
            floor=p95(one_floor),
            target="p95 <= 100 ms",
            meets=p95(one) <= 100,
            kind="job",
        ),
    ]
