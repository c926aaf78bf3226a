"""The rule registry that the periodic scan runs.

Each app may provide `<app>/reminders.py` registering `ReminderRule`s (found at
startup). A rule says which source objects to look at and, for one source,
which reminders it wants now (stage, recipients, when). The scan reconciles
the outbox with that: missing rows are created (unique key: no duplicates),
pending rows whose time changed are moved, and pending rows no longer wanted
(source done, cancelled, rescheduled, invitee declined) are cancelled.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from .. import bulk
from ..models import Notification, ReminderScan, ReminderSettings, User
from ..registry import reminder_values, reminder_values_held
from . import DEFAULT_CHANNELS, notification_key, notify  # noqa: F401 (tests call rules.notify)

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    """One wanted message: `rule` is "<rule name>:<stage>" (the stage names the row's key)."""

    rule: str
    recipients: Iterable[User]
    send_at: datetime
    context: dict = field(default_factory=dict)
    expires_at: datetime | None = None
    channels: tuple[str, ...] = DEFAULT_CHANNELS


def at(day: date, clock: time) -> datetime:
    """`clock` on `day` in the portal's time zone (WITA): when a day-based reminder goes out."""
    return timezone.make_aware(datetime.combine(day, clock))


class ReminderRule:
    """Subclass, set `name` (the template name) and `model` ("app_label.Model"), register."""

    name: str = ""
    model: str = ""

    def queryset(self) -> models.QuerySet:
        """Where the rule's sources come from (a lean one: the scan loads thousands)."""
        return self.model_class()._default_manager.all()

    def candidates(self, now: datetime, cfg: ReminderSettings) -> Iterable[models.Model]:
        """Sources that may want a reminder around now (keep it to a time window)."""
        return []

    def prepare(self, sources: list[models.Model], now: datetime, cfg: ReminderSettings) -> None:
        """Load what `reminders` needs for all `sources` at once (recipients, contacts), so
        the scan makes a few queries per rule, never a few per source."""

    def reminders(self, source: models.Model, now: datetime, cfg: ReminderSettings) -> list[Reminder]:
        return []

    def still_wanted(self, notification: Notification, source: models.Model) -> bool:
        """Checked again just before sending: False cancels the message."""
        return True

    def changed(self, now: datetime, cfg: ReminderSettings, since: datetime, previous: datetime):
        """Optional, for an incremental beat: the pks of the sources whose wanted rows may
        differ from what the scan as of `previous` left (the source or its recipients changed
        since `since`, or it entered the time window between `previous` and `now`). A superset
        is fine: the scan only reconciles those that are candidates now or have pending rows.
        None (the default): the rule gets a full pass every beat (cheap for a small window).
        A rule that has it also gets a rolling pass (`Part`): its pks must be integers."""
        return None

    def reconcile_in_sql(
        self,
        now: datetime,
        cfg: ReminderSettings,
        source_type,
        only: list | None = None,
        part: Part | None = None,
    ) -> int | None:
        """Optional: the whole scan of this rule as a few statements on PostgreSQL (see
        `write_in_sql`), for a rule with very many sources; the number of sources, or None
        to use the portable path (`candidates`, `prepare`, `reminders`), which stays the
        reference: a test checks that both leave the same outbox. `only`: the pks of an
        incremental beat (`changed` and its slice); `part`: the first beat's (`Part`); both
        None for all sources."""
        return None

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def last_pk(self) -> int:
        """The highest pk a source has had (a deleted one's pending rows are in a slice too)."""
        model = self.model_class()
        found = [model._default_manager.aggregate(last=Max("pk"))["last"]]
        if hasattr(model, "history"):  # django-simple-history keeps the deleted ones' pks
            found.append(model.history.aggregate(last=Max("id"))["last"])
        return max((pk for pk in found if pk is not None), default=0)


REGISTRY: dict[str, ReminderRule] = {}

_MEMO: ContextVar[dict | None] = ContextVar("reminder_scan_memo", default=None)


def scan_memo() -> dict:
    """What the rules of one `scan` share (two rules loading the same invitations load them
    once); a new empty dict outside a scan."""
    memo = _MEMO.get()
    return {} if memo is None else memo


def register(rule: ReminderRule | type[ReminderRule]) -> ReminderRule:
    """Register a rule (usable as a class decorator)."""
    instance = rule() if isinstance(rule, type) else rule
    REGISTRY[instance.name] = instance
    return rule


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


# Changes are looked for from this long before the previous scan started: a transaction
# that saved a source before then may have committed only after that scan read the data.
CHANGES_OVERLAP = timedelta(minutes=10)


@dataclass(frozen=True)
class Part:
    """One slice of a rule's sources for a beat's rolling pass: those whose (integer) pk is
    `index` modulo `count`. A beat reconciles them with its changed ones (`pks`: by index
    lookups, as few as the changes). `soon` (the first beat, or after a settings change):
    every candidate as well, and the pending rows due between the grace window and `soon`;
    the other pending rows wait for their slice (the dispatcher marks a row past its grace
    window missed and checks the source again before sending, so none of those goes out).
    Of the candidates' wanted rows, the first beat creates those due by `soon` (and updates
    those that exist); a row due later is created by its source's slice, which comes round
    before `soon`: a first beat does not write a week of reminders at once."""

    index: int
    count: int
    soon: datetime | None = None

    def has(self, pk) -> bool:
        text = str(pk)
        return text.isdigit() and int(text) % self.count == self.index

    def pks(self, last: int) -> range:
        """The slice's pks up to `last` (the highest a source has had)."""
        return range(self.index, last + 1, self.count)


def scan(now: datetime | None = None, *, incremental: bool = False) -> int:
    """Run every registered rule; return how many sources were reconciled.

    `incremental` (the beat's task): a rule that can say which of its sources changed
    (`ReminderRule.changed`) reconciles those since its last scan plus one slice of all its
    sources (`Part`), so every source is reconciled within `REMINDERS_FULL_SCAN_HOURS` and
    no beat costs a full pass. The first beat, a beat after a change of the settings or lead
    times, or one earlier than the last, reconciles every candidate and the pending rows due
    soon, and starts the slices again. Once the slices went round, the outbox is what a full
    pass leaves (a test compares both)."""
    now = now or timezone.now()
    cfg = ReminderSettings.load()
    memo = _MEMO.set({})
    try:
        done = _scan(now, cfg, incremental)
    finally:
        _MEMO.reset(memo)
    return done


def _scan(now: datetime, cfg: ReminderSettings, incremental: bool) -> int:
    done = 0
    with reminder_values_held():
        fingerprint = settings_fingerprint(cfg) if incremental else ""
        states = {}
        if incremental:
            states = {state.rule: state for state in ReminderScan.objects.filter(rule__in=list(REGISTRY))}
        for rule in list(REGISTRY.values()):
            try:
                with transaction.atomic():
                    done += _scan_rule(rule, now, cfg, states.get(rule.name), fingerprint, incremental)
            except Exception:  # one broken rule must not stop the reminders of all others
                logger.exception("reminder rule %s failed", rule.name)
    return done


def settings_fingerprint(cfg: ReminderSettings) -> str:
    """What every rule's wanted rows depend on besides the data: a change means a full pass."""
    values = (cfg.send_time, cfg.grace_hours, sorted(reminder_values().items()))
    return hashlib.sha256(repr(values).encode()).hexdigest()


def parts() -> int:
    """How many slices the rolling pass has: one a beat, all within REMINDERS_FULL_SCAN_HOURS
    (0: no slices, a full pass every beat)."""
    hours = settings.REMINDERS_FULL_SCAN_HOURS
    return -(-hours * 3600 // max(settings.REMINDERS_SCAN_SECONDS, 1)) if hours > 0 else 0


def _restart_due(state: ReminderScan | None, now: datetime, fingerprint: str) -> bool:
    return state is None or state.fingerprint != fingerprint or now < state.scanned_at


def _scan_rule(
    rule: ReminderRule,
    now: datetime,
    cfg: ReminderSettings,
    state: ReminderScan | None,
    fingerprint: str,
    incremental: bool,
) -> int:
    """One rule's part of `scan`; an incremental scan records where the rule stands (a full
    pass on request records nothing: it is also what tests and people run by hand)."""
    if not incremental:
        return reconcile_rule(rule, now, cfg)
    started = timezone.now()  # the real clock: sources' updated_at and history dates use it
    count = parts()
    only, part, first, full_at, index = None, None, None, now, 0
    if count and type(rule).changed is not ReminderRule.changed:
        # The slices go down from the last: the first beat does the last one.
        if _restart_due(state, now, fingerprint):
            soon = now + timedelta(hours=settings.REMINDERS_FULL_SCAN_HOURS)
            part = first = Part(count - 1, count, soon=soon)
        else:
            since = state.started_at - CHANGES_OVERLAP
            only = rule.changed(now, cfg, since=since, previous=state.scanned_at)
            if only is not None:
                part, full_at = Part(min(state.part, count - 1), count), state.full_at
                only = {*only, *part.pks(rule.last_pk())}
        if part is not None:
            index = part.index - 1
            if index < 0:  # the slices went round: every source was reconciled since
                index, full_at = count - 1, now
    done = reconcile_rule(rule, now, cfg, only=None if only is None else list(only), part=first)
    ReminderScan.objects.update_or_create(
        rule=rule.name,
        defaults={
            "scanned_at": now,
            "started_at": started,
            "full_at": full_at,
            "fingerprint": fingerprint,
            "part": index,
        },
    )
    return done


class _Gone:
    """Stands for a deleted source: it wants nothing."""

    def __init__(self, model: type[models.Model], pk: str) -> None:
        self.pk = pk
        self._meta = model._meta


@dataclass
class _Pending:
    pk: int
    key: str
    source_id: str
    due_at: datetime | None
    expires_at: datetime | None
    context: dict


def _pending(rule: ReminderRule, source_type, source_ids: list[str] | None) -> list[_Pending]:
    """The rule's rows not sent yet (of some sources, or of all): one query on an index."""
    qs = Notification.objects.filter(
        state=Notification.State.SCHEDULED, source_type=source_type, rule__startswith=f"{rule.name}:"
    )
    if source_ids is not None:
        qs = qs.filter(source_id__in=source_ids)
    fields = ("pk", "key", "source_id", "due_at", "expires_at", "context")
    return [_Pending(*row) for row in qs.values_list(*fields)]


def _sources(
    rule: ReminderRule,
    now: datetime,
    cfg: ReminderSettings,
    pending: list[_Pending],
    only: list | None,
    part: Part | None = None,
) -> tuple[list, list[_Pending]]:
    """The rule's candidates plus every source that still has pending rows of this rule
    (so a source that left the window, was done or cancelled gets its rows cancelled);
    of those, only the pks in `only` (an incremental beat); all, but of the pending rows
    only some, on the first beat (`part`, see `Part`). Also the pending rows among them."""
    model = rule.model_class()
    candidates = rule.candidates(now, cfg)
    if only is not None:  # a rule with `changed` has a queryset of candidates
        candidates = candidates.filter(pk__in=only)
    sources = {str(obj.pk): obj for obj in candidates}
    if part is not None:  # the first beat: see `Part`
        oldest = now - timedelta(hours=cfg.grace_hours)
        pending = [
            row
            for row in pending
            if row.source_id in sources
            or part.has(row.source_id)
            or row.due_at is None
            or oldest <= row.due_at <= part.soon
        ]
    missing = {row.source_id for row in pending} - set(sources)
    if missing:
        found = {str(obj.pk): obj for obj in rule.queryset().filter(pk__in=missing)}
        for pk in missing:
            # A deleted source still needs its pending rows cancelled.
            sources[pk] = found.get(pk) or _Gone(model, pk)
    return list(sources.values()), pending


def reconcile_rule(
    rule: ReminderRule,
    now: datetime,
    cfg: ReminderSettings,
    source: models.Model | None = None,
    *,
    only: list | None = None,
    part: Part | None = None,
) -> int:
    """Bring the outbox in line with what the rule wants now, for all its sources (or one,
    or those of `only`, pks, among its candidates and sources with pending rows; `part`:
    the first beat's choice of pending rows, see `Part`).

    Set-based: the rule loads its sources and their recipients in bulk (`prepare`), the
    wanted rows are computed in memory, then one insert (`ON CONFLICT DO NOTHING` on the
    unique key: asking twice stores once), one update for the rows no longer wanted, and
    an update per row whose time or text changed (rare: a moved row gets a new key)."""
    from django.contrib.contenttypes.models import ContentType

    if source is None and only is not None and not only:
        return 0  # an incremental beat with nothing changed
    source_type = ContentType.objects.get_for_model(rule.model_class())
    if source is None and connection.vendor == "postgresql":
        done = rule.reconcile_in_sql(now, cfg, source_type, only, part)
        if done is not None:
            return done
    if source is not None:
        only, part = [source.pk], None
    pending = _pending(rule, source_type, None if only is None else [str(pk) for pk in only])
    if source is not None:
        sources = [source]
    else:
        sources, pending = _sources(rule, now, cfg, pending, only, part)
    live = [obj for obj in sources if not isinstance(obj, _Gone)]
    if live:
        rule.prepare(live, now, cfg)
    grace = timedelta(hours=cfg.grace_hours)
    keys: set[str] = set()
    wanted: dict[str, tuple] = {}
    for obj in sources:
        try:
            reminders = [] if isinstance(obj, _Gone) else rule.reminders(obj, now, cfg)
        except Exception:  # one broken source must not stop the reminders of all others
            logger.exception("reminder rule %s failed for %r", rule.name, obj)
            keys |= {row.key for row in pending if row.source_id == str(obj.pk)}  # leave it as it was
            continue
        for reminder in reminders:
            _want(reminder, obj, source_type, now - grace, keys, wanted)
    _write(pending, keys, wanted, now, part)
    return len(sources)


def _want(reminder: Reminder, source, source_type, oldest: datetime, keys: set, wanted: dict) -> None:
    for recipient in reminder.recipients:
        if recipient is None or not recipient.is_active:
            continue
        for channel in reminder.channels:
            key = notification_key(source, reminder.rule, recipient, channel)
            keys.add(key)
            if reminder.send_at < oldest:
                continue  # long past: do not create rows only to mark them missed
            if channel == Notification.Channel.EMAIL and not recipient.email:
                continue
            # A light tuple: most rows exist already, a model instance is made only for new ones.
            wanted.setdefault(key, (reminder, recipient, channel, source_type, str(source.pk)))


def _row(key: str, reminder: Reminder, recipient: User, channel: str, source_type, source_id: str) -> dict:
    """A new row for `insert_new`: its fields by attname (a model instance each cost more than
    the insert itself, for a first beat's tens of thousands of new rows)."""
    return {
        "key": key,
        "rule": reminder.rule,
        "channel": channel,
        "recipient_id": recipient.pk,
        "source_type_id": source_type.pk,
        "source_id": source_id,
        "context": reminder.context,
        "send_at": reminder.send_at,
        "due_at": reminder.send_at,
        "expires_at": reminder.expires_at,
        "digestible": True,
    }


def _write(
    pending: list[_Pending],
    keys: set,
    wanted: dict[str, tuple],
    now: datetime,
    part: Part | None = None,
) -> None:
    """`part` (a first beat's): new rows due after `Part.soon` are left to their slice (those of
    the beat's own slice are written now: it comes round again only after `soon`)."""
    from .publish import send_on_commit

    State = Notification.State
    known = {row.key: row for row in pending}
    new = [
        _row(key, *spec)
        for key, spec in wanted.items()
        if key not in known and (part is None or spec[0].send_at <= part.soon or part.has(spec[4]))
    ]
    started = timezone.now()  # the real clock (a test may scan as of another `now`)
    insert_new(new)
    for key, (reminder, *_rest) in wanted.items():
        old = known.get(key)
        moved = (reminder.send_at, reminder.expires_at, reminder.context)
        if old is not None and (old.due_at, old.expires_at, old.context) != moved:
            # Conditional: a dispatcher may have claimed the row meanwhile; then it stays as it is.
            Notification.objects.filter(pk=old.pk, state=State.SCHEDULED).update(
                send_at=reminder.send_at,
                due_at=reminder.send_at,
                expires_at=reminder.expires_at,
                context=reminder.context,
                updated_at=now,
            )
    stale = [row.pk for row in pending if row.key not in keys]
    if stale:
        Notification.objects.filter(pk__in=stale, state=State.SCHEDULED).update(
            state=State.CANCELLED, updated_at=now
        )
    due = [row["key"] for row in new if row["send_at"] <= started]
    if due:
        # Rows already there (sent earlier) were skipped by the insert; send the new ones now.
        created = Notification.objects.filter(key__in=due, state=State.SCHEDULED, created_at__gte=started)
        pks = list(created.values_list("pk", flat=True))
        if pks:
            send_on_commit(pks)


def insert_new(rows: list[dict], batch_size: int = 5000) -> None:
    """New notifications, each a dict of field attnames to values (the other fields take their
    defaults; created_at and updated_at now), a key already there skipped: what
    `Notification.objects.bulk_create([Notification(**row) ...], ignore_conflicts=True)` writes,
    on PostgreSQL through `portal.bulk.insert` (no model instance a row: for a first beat's tens
    of thousands of new rows, making them cost more than inserting them)."""
    if connection.vendor != "postgresql":
        objs = [Notification(**row) for row in rows]
        Notification.objects.bulk_create(objs, ignore_conflicts=True, batch_size=batch_size)
        return
    from ..inbox import INAPP, SENT, inbox_changed

    bulk.insert(Notification, rows, skip_conflicts=True, batch_size=batch_size, using=connection.alias)
    channel, state = (Notification._meta.get_field(name).get_default() for name in ("channel", "state"))
    # As bulk_create tells the inbox: the in-app messages stored as sent count as unread.
    inbox_changed(
        row.get("recipient_id")
        for row in rows
        if row.get("channel", channel) == INAPP and row.get("state", state) == SENT
    )


# The wanted rows go to a temporary table first, analysed, so the planner knows how many
# there are (estimates over a few joined CTEs are off by orders of magnitude either way).
_WANTED = "CREATE TEMPORARY TABLE reminder_wanted ON COMMIT DROP AS {wanted}"

# One statement for the new rows and the moved ones: the insert looks every key up in the unique
# index anyway, so a row already there is updated on that lookup (if still scheduled, of this
# rule, and its time or text changed) instead of by a join over every scheduled row of the rule.
# `inserted`: xmax is 0 for a row this statement inserted, not for one it updated.
_UPSERTED = """
    INSERT INTO portal_notification AS n (
        key, rule, channel, recipient_id, source_type_id, source_id, context, send_at, due_at,
        expires_at, digestible, state, attempts, last_error, provider_message_id, created_at,
        updated_at, title, body, share_text, url
    )
    SELECT w.key, w.rule, w.channel, w.recipient_id, %(source_type)s, w.source_id, w.context,
        w.send_at, w.send_at, w.expires_at, TRUE, 'scheduled', 0, '', '', %(started)s, %(started)s,
        '', '', '', ''
    FROM reminder_wanted w
    ON CONFLICT (key) DO UPDATE
    SET send_at = EXCLUDED.send_at, due_at = EXCLUDED.due_at, expires_at = EXCLUDED.expires_at,
        context = EXCLUDED.context, updated_at = %(now)s
    WHERE n.state = 'scheduled' AND n.source_type_id = %(source_type)s AND n.rule LIKE %(prefix)s
      AND (n.due_at, n.expires_at, n.context)
        IS DISTINCT FROM (EXCLUDED.due_at, EXCLUDED.expires_at, EXCLUDED.context)
    RETURNING n.id, n.send_at, n.xmax = 0 AS inserted
"""

# The stale rows' ids first (a few thousand at most of a first beat: its pending rows), then
# the update by primary key; in one statement, the hash joins the stale rows need would
# also read every scheduled row of the outbox to find them.
_STALE = "CREATE TEMPORARY TABLE reminder_stale ON COMMIT DROP AS {stale}"

_CANCELLED = """
    UPDATE portal_notification n SET state = 'cancelled', updated_at = %(now)s
    FROM reminder_stale stale
    WHERE n.id = stale.id AND n.state = 'scheduled'
"""


def write_in_sql(
    rule: ReminderRule,
    source_type,
    now: datetime,
    *,
    wanted: str,
    stale: str,
    params: dict,
    few: bool = False,
) -> None:
    """`_write` in SQL, for `ReminderRule.reconcile_in_sql` on PostgreSQL: one upsert of the
    wanted rows (new ones inserted, changed ones updated on the same key lookup), then the
    stale rows' ids and their cancellation by primary key.

    `wanted`: a SELECT of the rows the rule wants that may be created now (not past the
    grace window, an email only to an address), columns key, rule, channel, recipient_id,
    source_id, context (jsonb), send_at, expires_at. `stale`: a SELECT of the ids of the rule's
    pending rows whose key is no longer wanted (past the grace window or not): they are
    cancelled. Both take the named `params` (plus now, started, source_type,
    prefix). `few`: the sources of an incremental beat (index lookups beat hash joins).
    A first beat's `wanted` leaves out the new rows due after `Part.soon` (see `_write`). The
    same guarantees as `_write`: the unique key stores a row once, a moved or cancelled row
    is one still scheduled (a dispatcher's claim wins)."""
    from .publish import send_on_commit

    started = timezone.now()  # the real clock (a test may scan as of another `now`)
    params = {**params, "now": now, "started": started, "source_type": source_type.pk}
    params["prefix"] = f"{rule.name}:%"
    with connection.cursor() as cursor:
        # Estimates over joins of thousands of rows make PostgreSQL compile the statements
        # (JIT), which costs more than running them; until the transaction ends.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS reminder_wanted")  # a scan earlier in a test's transaction
        cursor.execute(_WANTED.format(wanted=wanted), params)
        # The planner needs the row count and rough distributions, not a 30,000-row sample.
        cursor.execute("SET LOCAL default_statistics_target = 10")
        cursor.execute("ANALYZE reminder_wanted")
        cursor.execute(_UPSERTED, params)
        due = [pk for pk, send_at, inserted in cursor.fetchall() if inserted and send_at <= started]
        # Hash joins only: with the row estimates of a few CTEs off by orders of magnitude, a
        # nested loop over thousands of pending rows can take minutes.
        cursor.execute("DROP TABLE IF EXISTS reminder_stale")
        if not few:
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(_STALE.format(stale=stale), params)
        if not few:
            cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("ANALYZE reminder_stale")
        cursor.execute(_CANCELLED, params)
    if due:
        send_on_commit(due)


def reconcile(rule: ReminderRule, source, now: datetime, cfg: ReminderSettings) -> None:
    """Reconcile one source of one rule (`refresh_reminders`, tests)."""
    reconcile_rule(rule, now, cfg, source=source)


def reconcile_source(source: models.Model) -> None:
    now = timezone.now()
    cfg = ReminderSettings.load()
    for rule in REGISTRY.values():
        if rule.model_class() is type(source):
            with transaction.atomic():
                reconcile(rule, source, now, cfg)


def still_wanted(notification: Notification) -> bool:
    if notification.source_type_id and notification.source is None:
        return False  # the source was deleted
    rule = REGISTRY.get(notification.rule_name)
    if rule is None or notification.source is None:
        return True
    return rule.still_wanted(notification, notification.source)
