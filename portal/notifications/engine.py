"""The dispatcher: claim due outbox rows, send them, record what happened.

A row goes scheduled → sending → sent, or back to scheduled with a later
send_at (retry with backoff), or failed after the last attempt. Before sending
it may turn cancelled (its source no longer wants it), missed (past its grace
window: never blasted late) or be deferred (quiet hours). The claim is a
`select_for_update(skip_locked=True)` inside a short transaction, so two
dispatchers never take the same row; the claim is committed before the send,
so a crash leaves the row 'sending' and it is tried again only after
`stale_after_seconds` (at-least-once, with the window reduced to the moment
between the SMTP server's answer and our commit).
"""

from __future__ import annotations

import contextvars
import logging
import time as monotonic
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, connections, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ..inbox import inbox_changed
from ..models import Notification, ReminderSettings
from ..tokens import link_objects
from .channels import channel_for
from .rendering import render, stored_copy
from .rules import REGISTRY, still_wanted

logger = logging.getLogger(__name__)
State = Notification.State


def due_queryset(now: datetime):
    """Rows to send now. Email reminders of people who chose the daily digest wait for it."""
    return (
        Notification.objects.filter(state=State.SCHEDULED, send_at__lte=now, digest__isnull=True)
        .exclude(channel=Notification.Channel.EMAIL, digestible=True, recipient__notification_digest=True)
        .order_by("send_at", "pk")
    )


def in_quiet_hours(moment: datetime, cfg: ReminderSettings) -> bool:
    local = timezone.localtime(moment).time()
    start, end = cfg.quiet_start, cfg.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(moment: datetime, cfg: ReminderSettings) -> datetime:
    local = timezone.localtime(moment)
    end = local.replace(hour=cfg.quiet_end.hour, minute=cfg.quiet_end.minute, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def _verdict(row: Notification, now: datetime, cfg: ReminderSettings) -> dict | None:
    """What to do instead of sending, or None to send."""
    if not still_wanted(row):
        return {"state": State.CANCELLED}
    deadline = row.expires_at or (row.due_at or row.send_at) + timedelta(hours=cfg.grace_hours)
    if now > deadline:
        return {"state": State.MISSED, "last_error": "past its grace window; not sent late"}
    if row.is_quiet_sensitive() and in_quiet_hours(now, cfg):
        return {"send_at": quiet_hours_end(now, cfg)}
    return None


BATCH_SIZE = 50


@dataclass
class Claimed:
    """What one claim took: how many rows, those to send now, and where the claim stopped in
    the due order (send_at, pk), so the next claim can start there (`after`)."""

    taken: int
    sending: list[Notification]
    last: tuple[datetime, int] | None = None


def claim_batch(
    now: datetime,
    cfg: ReminderSettings,
    size: int = BATCH_SIZE,
    pks: list[int] | None = None,
    after: tuple[datetime, int] | None = None,
) -> Claimed:
    """Take up to `size` due rows (of `pks` if given; past `after` in the due order if given) in
    one short transaction: those that must not be sent are settled (cancelled, missed, deferred)
    and the others marked 'sending', with a few statements for the whole batch."""
    with transaction.atomic():
        qs = due_queryset(now)
        if pks is not None:
            qs = qs.filter(pk__in=pks)
        if after is not None:
            # Starts the index scan where the last claim stopped: the entries before it are
            # rows just claimed or settled, dead in the index until vacuum, and read again by
            # every claim that starts from the beginning.
            qs = qs.filter(send_at__gte=after[0]).exclude(send_at=after[0], pk__lte=after[1])
        rows = list(qs.select_for_update(skip_locked=True, of=("self",)).select_related("recipient")[:size])
        if not rows:
            return Claimed(0, [])
        last = (rows[-1].send_at, rows[-1].pk)
        load_sources(rows)
        prepare_rules(rows, now, cfg)
        settled: dict[tuple, list[Notification]] = defaultdict(list)
        sending = []
        for row in rows:
            changes = _verdict(row, now, cfg)
            if changes is None:
                sending.append(row)
            else:
                settled[tuple(sorted(changes.items()))].append(row)
        for changes, group in settled.items():
            Notification.objects.filter(pk__in=[row.pk for row in group]).update(
                **dict(changes), updated_at=now
            )
            for row in group:
                for name, value in changes:
                    setattr(row, name, value)
                if row.state in (State.MISSED, State.CANCELLED):
                    _settle_items(row)
        if sending:
            Notification.objects.filter(pk__in=[row.pk for row in sending]).update(
                state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
            )
            for row in sending:
                row.state, row.claimed_at, row.attempts = State.SENDING, now, row.attempts + 1
    return Claimed(len(rows), sending, last)


def load_sources(rows: list[Notification]) -> None:
    """Each row's source, one query per kind of source (instead of one per row)."""
    from django.contrib.contenttypes.models import ContentType

    wanted = defaultdict(set)
    for row in rows:
        if row.source_type_id and not hasattr(row, "_source_cache"):
            wanted[row.source_type_id].add(row.source_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            found |= {(type_id, str(obj.pk)): obj for obj in model._default_manager.filter(pk__in=ids)}
    for row in rows:
        if row.source_type_id in wanted:
            row._source_cache = found.get((row.source_type_id, row.source_id))


def prepare_rules(rows: list[Notification], now: datetime, cfg: ReminderSettings) -> None:
    """Each rule's bulk loader (`ReminderRule.prepare`, the scan's) once over the batch's
    sources, so that `still_wanted` reads what it needs once per batch, not once per row."""
    sources = defaultdict(dict)
    for row in rows:
        rule = REGISTRY.get(row.rule_name)
        if rule is not None and row.source is not None:
            sources[rule][id(row.source)] = row.source
    for rule, found in sources.items():
        rule.prepare(list(found.values()), now, cfg)


def claim(now: datetime, cfg: ReminderSettings, pk: int | None = None) -> Notification | None:
    """Take the next due row (or row `pk`) for sending, settling the ones that must not be sent."""
    while True:
        claimed = claim_batch(now, cfg, size=1, pks=None if pk is None else [pk])
        if claimed.sending:
            return claimed.sending[0]
        if not claimed.taken or pk is not None:
            return None


class Mailer:
    """One SMTP connection for a batch of emails, opened at the first email. After a failure
    it is dropped (a timed-out or refused session may be unusable) and the next email opens a
    fresh one, so one bad recipient never fails the rest of the batch."""

    def __init__(self) -> None:
        self.backend = None

    def connection(self):
        if self.backend is None:
            self.backend = get_connection(timeout=settings.EMAIL_TIMEOUT)
            self.backend.open()
        return self.backend

    def drop(self) -> None:
        backend, self.backend = self.backend, None
        smtp = getattr(backend, "connection", None)
        if smtp is not None:
            try:
                smtp.close()  # the socket only: no QUIT to a server that may not answer
            except OSError:
                pass
            backend.connection = None

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # the messages are recorded already; a failing QUIT changes nothing
                logger.warning("closing the SMTP connection failed", exc_info=True)


def deliver(
    row: Notification, cfg: ReminderSettings, mailer: Mailer | None = None, link_objects: dict | None = None
) -> bool:
    """Send one claimed row and record the outcome at once (its own commit: a worker killed
    later in the batch never sends this message twice)."""
    try:
        rendered = render(row, link_objects)
        provider_id = channel_for(row).send(row, rendered, connection=mailer.connection if mailer else None)
    except Exception as exc:  # any channel/template error: record it, retry or fail visibly
        if mailer is not None:
            mailer.drop()
        _record_failure(row, exc, cfg)
        return False
    mark_sent(row, provider_id, stored_copy(rendered, inapp=row.channel == Notification.Channel.INAPP))
    row.state = State.SENT
    if row.channel == Notification.Channel.INAPP:
        inbox_changed([row.recipient_id])
    _settle_items(row, provider_id=provider_id)
    return True


def deliver_in_app(rows: list[Notification], cfg: ReminderSettings, link_objects: dict) -> int:
    """In-app rows: the row is the delivery (nothing leaves the database, so nothing can go
    out twice), so one statement records the whole batch as sent."""
    done = []
    for row in rows:
        try:
            rendered = render(row, link_objects)
        except Exception as exc:  # a template error: record it, retry or fail visibly
            _record_failure(row, exc, cfg)
            continue
        now = timezone.now()
        changes = {"state": State.SENT, "sent_at": now, "provider_message_id": f"inapp:{row.pk}"}
        for name, value in (
            changes | {"last_error": "", "updated_at": now, **stored_copy(rendered, inapp=True)}
        ).items():
            setattr(row, name, value)
        done.append(row)
    if done:
        # The queryset's bulk_update renews the recipients' unread counts (portal.inbox).
        Notification.objects.filter(state=State.SENDING).bulk_update(done, _MARK_FIELDS)
    return len(done)


_MARK_FIELDS = ("state", "sent_at", "provider_message_id", "last_error", "updated_at", "title", "body")
_MARK_FIELDS += ("share_text", "url")


@cache
def _mark_sent_sql() -> str:
    columns = ", ".join(f"{Notification._meta.get_field(name).column} = %s" for name in _MARK_FIELDS)
    pk, state = (Notification._meta.get_field(name).column for name in ("id", "state"))
    return f"UPDATE {Notification._meta.db_table} SET {columns} WHERE {pk} = %s AND {state} = %s"  # noqa: S608


def mark_sent(row: Notification, provider_id: str, copy: dict) -> None:
    """Record one message sent (only if it is still this claim's: state 'sending'). The one
    statement per message, committed before the next message goes out; written as a fixed
    statement because compiling the ORM's UPDATE cost as much as running it."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = {"state": State.SENT.value, "sent_at": now, "provider_message_id": provider_id[:255]}
    values |= {"last_error": "", "updated_at": now, **copy}
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(), [*(values[name] for name in _MARK_FIELDS), row.pk, State.SENDING.value]
        )


def deliver_batch(rows: list[Notification], cfg: ReminderSettings, mailer: Mailer | None = None) -> int:
    """Send claimed rows (e-mails over one SMTP connection: `mailer`'s if given, kept open for
    the caller's next batch); return how many were sent."""
    objects = link_objects(row.context for row in rows)
    in_app = [row for row in rows if row.channel == Notification.Channel.INAPP]
    sent = deliver_in_app(in_app, cfg, objects) if in_app else 0
    others = [row for row in rows if row.channel != Notification.Channel.INAPP]
    own = mailer is None
    mailer = mailer or Mailer()
    try:
        with commits_without_waiting():
            return sent + sum(deliver(row, cfg, mailer, objects) for row in others)
    finally:
        if own:
            mailer.close()


@contextmanager
def commits_without_waiting():
    """Each mark-sent commit returns without waiting for PostgreSQL to flush its log to disk:
    that wait was most of the cost of a message. Exactly-once holds for a worker killed at
    any point (a commit is done, visible and durable against a worker crash, when `deliver`
    returns). Only a crash of PostgreSQL itself or of its machine can lose the marks of the
    last fraction of a second (at most 3x wal_writer_delay); those rows stay 'sending' and
    are sent again after `stale_after_seconds`, as after a worker killed between the SMTP
    server's answer and the commit. The claim, committed before the batch, still waits.
    The setting is the session's, reset after the batch: two statements per batch."""
    if postgres := connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _record_failure(row: Notification, exc: Exception, cfg: ReminderSettings) -> None:
    now = timezone.now()
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    if row.attempts >= cfg.max_attempts:
        changes = {"state": State.FAILED}
        logger.error("notification %s failed for good after %s attempts: %s", row.pk, row.attempts, error)
    else:
        delay = cfg.retry_base_seconds * 2 ** (row.attempts - 1)
        changes = {"state": State.SCHEDULED, "send_at": now + timedelta(seconds=delay)}
        logger.warning(
            "notification %s attempt %s failed (%s); retry in %ss", row.pk, row.attempts, error, delay
        )
    Notification.objects.filter(pk=row.pk, state=State.SENDING).update(
        last_error=error, updated_at=now, **changes
    )
    row.state = changes["state"]
    if row.state == State.FAILED:
        _settle_items(row)


def _settle_items(digest: Notification, provider_id: str = "") -> None:
    """A digest's items share its fate (sent, failed, missed, cancelled)."""
    if not digest.rule.startswith("digest:"):
        return
    now = timezone.now()
    changes = {"state": digest.state, "updated_at": now}
    if digest.state == State.SENT:
        changes |= {"sent_at": now, "provider_message_id": provider_id[:255]}
    else:
        changes["last_error"] = f"its daily digest was {digest.state}"
    # Its items are the recipient's (the queryset's update renews their unread count if sent).
    Notification.objects.filter(digest=digest, state=State.SCHEDULED).update(**changes)


def reclaim_stale(now: datetime, cfg: ReminderSettings) -> int:
    """Rows left 'sending' by a killed worker go back to the queue (or fail after the last attempt)."""
    stale = Notification.objects.filter(
        state=State.SENDING, claimed_at__lt=now - timedelta(seconds=cfg.stale_after_seconds)
    )
    error = "the worker stopped while sending; tried again"
    failed = stale.filter(attempts__gte=cfg.max_attempts).update(state=State.FAILED, last_error=error)
    return failed + stale.update(state=State.SCHEDULED, last_error=error, updated_at=now)


def send_lanes() -> int:
    """How many SMTP connections one dispatcher or send task uses at once
    (settings.NOTIFICATIONS_SMTP_CONNECTIONS). A message waits for the server's four answers
    and then for its committed *sent* mark before the next one goes out on its connection, so
    one connection sends at the pace of those round trips (a remote relay's latency, more
    than any work of ours); lanes wait side by side. SQLite (the embedded default) takes one
    writer at a time: one lane."""
    if connection.vendor == "sqlite":
        return 1
    return max(1, settings.NOTIFICATIONS_SMTP_CONNECTIONS)


def in_lanes(work, count: int) -> int:
    """`work(lane)` for lanes 0 .. count-1, summed: lane 0 in this thread, each other one in a
    thread of its own with its own database connection (closed when it ends) and, in `work`,
    its own SMTP connection. Every lane keeps the dispatcher's order (send, then commit the
    mark, then the next message) and claims with `skip_locked`, so no row is sent by two
    lanes. An error in a lane is raised once all lanes have ended (the others' sends are
    recorded)."""
    if count <= 1:
        return work(0)

    def other(lane: int) -> int:
        try:
            return work(lane)
        finally:
            connections.close_all()  # this thread's

    total, errors = 0, []
    with ThreadPoolExecutor(max_workers=count - 1, thread_name_prefix="send-lane") as pool:
        # Each lane in a copy of this context: its log lines carry the task's request id.
        futures = [pool.submit(contextvars.copy_context().run, other, lane) for lane in range(1, count)]
        try:
            total += work(0)
        except Exception as exc:
            errors.append(exc)
        for future in futures:
            try:
                total += future.result()
            except Exception as exc:
                errors.append(exc)
    if errors:
        raise errors[0]
    return total


def dispatch(budget_seconds: float = 50.0, batch_size: int = BATCH_SIZE, lanes: int | None = None) -> int:
    """Send what is due until nothing is left or the time budget is spent; return how many were
    sent. With a full first batch (more may be due), `send_lanes()` lanes drain the queue."""
    cfg = ReminderSettings.load()
    reclaim_stale(timezone.now(), cfg)
    started = monotonic.monotonic()
    first = claim_batch(timezone.now(), cfg, size=batch_size)
    if not first.taken:
        return 0
    count = (send_lanes() if lanes is None else lanes) if first.taken == batch_size else 1

    def drain(lane: int) -> int:
        claimed = first if lane == 0 else None
        sent, after = 0, None
        mailer = Mailer()
        try:
            while True:
                if claimed is None:
                    if monotonic.monotonic() - started >= budget_seconds:
                        break
                    claimed = claim_batch(timezone.now(), cfg, size=batch_size, after=after)
                if not claimed.taken:
                    if after is None:
                        break
                    after, claimed = None, None  # once more from the start: rows due behind us
                    continue
                after = claimed.last
                sent += deliver_batch(claimed.sending, cfg, mailer)
                claimed = None
        finally:
            mailer.close()
        return sent

    return in_lanes(drain, count)


# A lane for fewer rows than this costs more (its connections) than it saves.
MIN_LANE_ROWS = 10


def deliver_many(pks: list[int]) -> int:
    """Send these rows if they are (still) due: safe to call twice, the second call finds
    nothing. The rows are shared among up to `send_lanes()` lanes."""
    cfg = ReminderSettings.load()
    count = max(1, min(send_lanes(), len(pks) // MIN_LANE_ROWS))
    size = -(-len(pks) // count)

    def send(lane: int) -> int:
        mine = pks[lane * size : (lane + 1) * size]
        sent = 0
        mailer = Mailer()  # one SMTP connection for the lane
        try:
            for start in range(0, len(mine), BATCH_SIZE):
                claimed = claim_batch(timezone.now(), cfg, pks=mine[start : start + BATCH_SIZE])
                sent += deliver_batch(claimed.sending, cfg, mailer)
        finally:
            mailer.close()
        return sent

    return in_lanes(send, count)


def deliver_one(pk: int) -> bool:
    """Send one row if it is (still) due: safe to call twice, the second call finds nothing."""
    return deliver_many([pk]) == 1


def send_digests(now: datetime | None = None) -> int:
    """Once a day after `digest_time`: one email per digest reader listing today's held reminders."""
    from . import notify

    now = now or timezone.now()
    cfg = ReminderSettings.load()
    local = timezone.localtime(now)
    if local.time() < cfg.digest_time:
        return 0
    tomorrow = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time(0)))
    held = (
        Notification.objects.filter(
            state=State.SCHEDULED,
            channel=Notification.Channel.EMAIL,
            digestible=True,
            digest__isnull=True,
            recipient__notification_digest=True,
            send_at__lt=tomorrow,
        )
        .select_related("recipient")
        .order_by("send_at", "pk")
    )
    by_recipient = defaultdict(list)
    for row in held:
        by_recipient[row.recipient].append(row)
    created = 0
    for recipient, rows in by_recipient.items():
        rule = f"digest:{local.date().isoformat()}"
        if Notification.objects.filter(recipient=recipient, rule=rule).exists():
            continue  # today's digest is out; later items wait for tomorrow's
        with transaction.atomic():
            items, entries = [], []
            for row in rows:
                changes = _verdict(row, now, cfg)
                if changes and "state" in changes:
                    Notification.objects.filter(pk=row.pk, state=State.SCHEDULED).update(**changes)
                    continue
                try:
                    rendered = render(row)
                except Exception as exc:  # a broken template fails that item, not the digest
                    Notification.objects.filter(pk=row.pk).update(
                        state=State.FAILED, last_error=str(exc)[:2000]
                    )
                    continue
                items.append(row.pk)
                entries.append(
                    {
                        "title": rendered.subject,
                        "url": rendered.url,
                        # A personal one-tap link (e.g. update progress) stays in the digest too:
                        # as a marker, made into the reader's URL when the digest is rendered.
                        "one_tap_url": row.context.get("one_tap_url", ""),
                        "due": (row.due_at or row.send_at).isoformat(),
                    }
                )
                copy = stored_copy(rendered)
                Notification.objects.filter(pk=row.pk).update(title=copy["title"], url=copy["url"])
            if not items:
                continue
            (digest,) = notify(
                rule=rule,
                recipients=[recipient],
                channels=[Notification.Channel.EMAIL],
                context={
                    "items": entries,
                    "date": local.date().isoformat(),
                    "url": reverse("portal:notification-list"),
                },
                send_at=now,
            )
            Notification.objects.filter(pk__in=items, state=State.SCHEDULED).update(digest=digest)
            created += 1
    return created
