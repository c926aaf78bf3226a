"""Time-driven reminders about meetings and commitments (RTL), run by the periodic scan.

Lead times are this app's reminder OPTIONS (edited in the admin). The stage key of
each reminder carries the date it is about, so a moved deadline or meeting
gets fresh reminders and the pending ones for the old date are cancelled.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.links import reverse_pk
from portal.models import Notification, Organisation, ReminderSettings, RoleAssignment, User, region_q
from portal.notifications.actions import Action, register_actions
from portal.notifications.recipients import contacts_by_organisation, role_holders
from portal.notifications.rules import Part, Reminder, ReminderRule, at, register, scan_memo, write_in_sql
from portal.registry import ReminderOption, reminder_days, reminder_value
from portal.roles import Role

from .links import PROGRESS_ACTION, progress_link, rsvp_link
from .models import Commitment, Invitation, Meeting, Minutes

OPTIONS = [
    ReminderOption(
        "commitment_lead_days",
        _("commitment reminders (days before the deadline)"),
        default=(7, 3, 1, 0),
        help_text=_("Comma-separated, e.g. 7,3,1,0 for H-7, H-3, H-1 and the due day."),
        maximum=90,
    ),
    ReminderOption("overdue_days", _("overdue reminder (days after the deadline)"), default=1),
    ReminderOption(
        "escalation_days", _("escalation to the secretariat (days after the deadline)"), default=7
    ),
    ReminderOption("meeting_days_before", _("meeting reminder (days before)"), default=1),
    ReminderOption("meeting_hours_before", _("meeting reminder (hours before)"), default=3, maximum=168),
    ReminderOption("rsvp_nudge_days_before", _("nudge invitees without an answer (days before)"), default=3),
]


def option(name: str) -> int:
    return reminder_value("meetings", name)


def meeting_stamp(meeting: Meeting) -> str:
    return timezone.localtime(meeting.start).strftime("%Y%m%dT%H%M")


def kabupaten_of(region_code: str) -> str | None:
    """`Region.kabupaten_code()` from the code alone (no query)."""
    parts = region_code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def prepare_focal_points(commitments: list[Commitment]) -> None:
    """`Commitment.focal_points()` of many commitments in three queries (PICs, heads, focal points)."""
    commitments = [c for c in commitments if c.is_open]
    prefetch_related_objects(commitments, "pic")
    contacts = contacts_by_organisation(c.owner_id for c in commitments)
    for commitment in commitments:
        people = list(contacts.get(commitment.owner_id, []))
        if commitment.pic_id and commitment.pic not in people:
            people.insert(0, commitment.pic)
        commitment.reminder_focal_points = people


def focal_points(commitment: Commitment) -> list:
    prepared = getattr(commitment, "reminder_focal_points", None)
    return commitment.focal_points() if prepared is None else prepared


@register
class CommitmentDeadlineRule(ReminderRule):
    """H-7, H-3, H-1, due day and overdue to the PIC and the owner's focal points;
    escalation to the kabupaten's DPPKB admins. Nothing once done, verified or cancelled."""

    name = "commitment_due"
    model = "meetings.Commitment"

    def queryset(self):
        # Only what the ladder needs: thousands of commitments are loaded every beat.
        return Commitment.objects.select_related("pic", "meeting").only(
            "status", "due_date", "owner_id", "pic", "meeting__region_id"
        )

    def candidates(self, now, cfg):
        first, last = self.window(now)
        return self.queryset().open().filter(due_date__gte=first, due_date__lte=last)

    def prepare(self, commitments: list[Commitment], now, cfg) -> None:
        """Each commitment's focal points and kabupaten admins, for all of them in a few queries."""
        prepare_focal_points(commitments)
        prefetch_related_objects([c for c in commitments if c.is_open], "meeting")
        kabupaten = {c.pk: kabupaten_of(c.meeting.region_id) for c in commitments if c.is_open}
        admins = role_holders([Role.DPPKB_ADMIN], kabupaten.values())
        for commitment in commitments:
            commitment.reminder_admins = admins.get(kabupaten.get(commitment.pk), [])

    def reminders(self, commitment: Commitment, now, cfg: ReminderSettings) -> list[Reminder]:
        if not commitment.is_open:
            return []
        due = commitment.due_date
        overdue_days, escalation_days = option("overdue_days"), option("escalation_days")
        context = {"due_date": due.isoformat()}
        ladder = [
            Reminder(
                rule=f"{self.name}:{'h0' if days == 0 else f'h-{days}'}:{due.isoformat()}",
                recipients=[],
                send_at=at(due - timedelta(days=days), cfg.send_time),
                context={**context, "stage": "before", "days": days},
            )
            for days in reminder_days("meetings", "commitment_lead_days")
        ]
        ladder.append(
            Reminder(
                rule=f"{self.name}:overdue:{due.isoformat()}",
                recipients=[],
                send_at=at(due + timedelta(days=overdue_days), cfg.send_time),
                context={**context, "stage": "overdue", "days": overdue_days},
            )
        )
        # A late stage is never sent once the next one is due (no "due in 1 day" on the due day).
        ladder.sort(key=lambda reminder: reminder.send_at)
        for stage, following in pairwise(ladder):
            stage.expires_at = following.send_at
        wanted = [
            reminder
            for person in focal_points(commitment)
            for reminder in self.personal(ladder, person, commitment)
        ]
        admins = getattr(commitment, "reminder_admins", None)
        wanted.append(
            Reminder(
                rule=f"{self.name}:escalation:{due.isoformat()}",
                recipients=list(commitment.kabupaten_admins()) if admins is None else admins,
                send_at=at(due + timedelta(days=escalation_days), cfg.send_time),
                context={**context, "stage": "escalation", "days": escalation_days},
            )
        )
        return wanted

    @staticmethod
    def personal(ladder: list[Reminder], person, commitment: Commitment) -> list[Reminder]:
        """Each stage for one person: the email carries their own one-tap progress link; the
        in-app row (whose text may be shared to a WhatsApp group) does not."""
        link = {"one_tap_url": progress_link(commitment)}
        return [
            replace(stage, recipients=[person], context={**stage.context, **extra}, channels=channels)
            for stage in ladder
            for extra, channels in (
                (link, (Notification.Channel.EMAIL,)),
                ({}, (Notification.Channel.INAPP,)),
            )
        ]

    def still_wanted(self, notification: Notification, commitment: Commitment) -> bool:
        return commitment.is_open and notification.rule.endswith(commitment.due_date.isoformat())

    def stages(self, cfg: ReminderSettings) -> list[dict]:
        """`reminders` as offsets from the due date (the same for every commitment), for SQL:
        stage, send day and expiry day (days from the due date), extra context, recipients
        ("focal" points with their own link by email, or the kabupaten's "admins")."""
        ladder = [
            {
                "stage": "h0" if days == 0 else f"h-{days}",
                "send": -days,
                "extra": {"stage": "before", "days": days},
            }
            for days in reminder_days("meetings", "commitment_lead_days")
        ]
        overdue_days, escalation_days = option("overdue_days"), option("escalation_days")
        ladder.append(
            {"stage": "overdue", "send": overdue_days, "extra": {"stage": "overdue", "days": overdue_days}}
        )
        ladder.sort(key=lambda stage: stage["send"])  # stable, as `reminders` sorts its ladder
        for stage, following in pairwise(ladder):
            stage["expires"] = following["send"]
        escalation = {"stage": "escalation", "days": escalation_days}
        stages = [{**stage, "people": "focal"} for stage in ladder]
        return [
            *stages,
            {"stage": "escalation", "send": escalation_days, "extra": escalation, "people": "admins"},
        ]

    def window(self, now) -> tuple:
        """The due dates whose commitments are candidates as of `now` (first, last)."""
        today = timezone.localdate(now)
        ahead = max(reminder_days("meetings", "commitment_lead_days"), default=0) + 1
        behind = max(option("overdue_days"), option("escalation_days")) + 1
        return today - timedelta(days=behind), today + timedelta(days=ahead)

    def changed(self, now, cfg, since, previous) -> set[int]:
        """Commitments entering the window since `previous` (it only moves forward), and those
        saved or deleted since `since` or whose people changed (PIC, the owner's head and
        focal points, the kabupaten's DPPKB admins, a meeting moved): a few indexed queries
        on `updated_at` and the history tables, however many commitments are unchanged."""
        first, last = self.window(now)
        entering = Commitment.objects.open().filter(due_date__gt=self.window(previous)[1], due_date__lte=last)
        ids = set(entering.values_list("pk", flat=True))
        ids |= set(Commitment.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        ids |= set(Commitment.history.filter(history_date__gte=since).values_list("id", flat=True))
        return ids | self.people_changed(first, last, since)

    @staticmethod
    def users_changed(since) -> set[int]:
        """People added, removed, (de)activated or whose e-mail came or went since `since`;
        not those who only logged in (every login saves `last_login`, a history row too)."""
        earlier = User.history.filter(id=OuterRef("id"), history_date__lt=since).order_by("-history_date")
        versions = User.history.filter(history_date__gte=since).annotate(
            was_active=Subquery(earlier.values("is_active")[:1]),
            had_email=Subquery(earlier.values("email")[:1]),
        )
        return {
            pk
            for pk, kind, active, email, was_active, had_email in versions.values_list(
                "id", "history_type", "is_active", "email", "was_active", "had_email"
            )
            if kind != "~" or was_active is None or (active, bool(email)) != (was_active, bool(had_email))
        }

    def people_changed(self, first, last, since) -> set[int]:
        """Open commitments in the window whose people changed since `since`."""
        users = self.users_changed(since)
        changed_roles = RoleAssignment.history.filter(history_date__gte=since).values("id")
        # Every version of a changed assignment: the organisation or region it left counts too.
        roles = set(
            RoleAssignment.history.filter(id__in=changed_roles).values_list(
                "role", "organisation_id", "region_id"
            )
        )
        roles |= set(
            RoleAssignment.objects.filter(user__in=users).values_list("role", "organisation_id", "region_id")
        )
        organisations = {org for role, org, _region in roles if role == Role.OPD_FOCAL and org}
        organisations |= set(
            Organisation.history.filter(history_date__gte=since).values_list("id", flat=True)
        )
        organisations |= set(Organisation.objects.filter(head__in=users).values_list("pk", flat=True))
        kabupaten = {
            kabupaten_of(region) for role, _org, region in roles if role == Role.DPPKB_ADMIN and region
        }
        kabupaten.discard(None)
        meetings = set(Meeting.history.filter(history_date__gte=since).values_list("id", flat=True))
        if not (users or organisations or kabupaten or meetings):
            return set()
        people = Q(owner__in=organisations) | Q(pic__in=users) | Q(meeting__in=meetings)
        if kabupaten:
            people |= region_q(kabupaten, "meeting_region_id")
        # Only open commitments want rows; a closed one was saved (see `changed`) when it closed.
        touched = Commitment.objects.open().filter(due_date__gte=first, due_date__lte=last).filter(people)
        return set(touched.values_list("pk", flat=True))

    def reconcile_in_sql(
        self, now, cfg: ReminderSettings, source_type, only: list | None = None, part: Part | None = None
    ) -> int:
        """The scan of this rule in PostgreSQL: it has by far the most sources (every open
        commitment due around now, 85,000 at national scale), too many to build in Python
        each beat. The same rows as `reminders` (a test compares both paths). `only`: the
        commitments of an incremental beat (`changed` and its slice); `part`: the first
        beat's choice of pending rows (`Part`, the same as `rules._sources`)."""
        first, last = self.window(now)
        params = {
            "stages": json.dumps(self.stages(cfg)),
            "open": list(Commitment.OPEN_STATUSES),
            "first": first,
            "last": last,
            "only": [] if only is None else list(only),
            "only_text": [] if only is None else [str(pk) for pk in only],
            "oldest": now - timedelta(hours=cfg.grace_hours),
            "send_time": cfg.send_time,
            "tz": settings.TIME_ZONE,
            "focal_role": Role.OPD_FOCAL,
            "admin_role": Role.DPPKB_ADMIN,
            "action": PROGRESS_ACTION,
            "origin": f"{Commitment._meta.label_lower}:",
            "pending_type": source_type.pk,
            "pending_prefix": f"{self.name}:%",
            "name": self.name,
            "part": 0 if part is None else part.index,
            "parts": 1 if part is None else part.count,
            "soon": None if part is None else part.soon,
            "part_text": [] if part is None else [str(pk) for pk in part.pks(self.last_pk())],
        }
        tables = {
            "kabupaten": _KABUPATEN.format(code="s.region_id"),
            "commitment": Commitment._meta.db_table,
            "meeting": Meeting._meta.db_table,
            "organisation": Organisation._meta.db_table,
            "role": RoleAssignment._meta.db_table,
            "user": User._meta.db_table,
            # Read once into a temporary table (analysed: the planner then knows its size).
            "pending": "SELECT * FROM reminder_pending",
        }
        tables["ids"] = _IDS.format(**tables, only="" if only is None else _IDS_ONLY)
        if part is None:
            wanted = _WANTED.format(**tables, people=_PEOPLE_READ, ladder_where="")
        else:
            wanted = _WANTED.format(**tables, people=_PEOPLE_READ, ladder_where=_LADDER_FIRST)
            wanted = _WANTED_FIRST.format(wanted=wanted)
        stale = _STALE.format(**tables, people=_PEOPLE_READ)
        with transaction.atomic():  # the temporary tables live until its end
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                # A scan earlier in the same transaction (a test's) made one already.
                cursor.execute("DROP TABLE IF EXISTS reminder_pending")
                pending = f"{_PENDING} {_pending_only(only, part).format(**tables, base=_PENDING)}"
                cursor.execute(f"CREATE TEMPORARY TABLE reminder_pending ON COMMIT DROP AS {pending}", params)
                cursor.execute("SET LOCAL default_statistics_target = 10")  # see write_in_sql
                cursor.execute("ANALYZE reminder_pending")
                # The commitments and their people once, for both the wanted and the stale rows.
                for table, select in (("reminder_src", _SRC), ("reminder_people", _PEOPLE)):
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
                    select = select.format(**tables, only="" if only is None else _IDS_ONLY)
                    cursor.execute(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {select}", params)
                    cursor.execute(f"ANALYZE {table}")
                cursor.execute(_SOURCES.format(**tables), params)
                (sources,) = cursor.fetchone()
            write_in_sql(
                self,
                source_type,
                now,
                wanted=wanted,
                stale=stale,
                params=params,
                few=only is not None and sources <= FEW,
            )
        return sources


# The rule's pending rows (a commitment's rows carry its numeric id as text in source_id).
_PENDING = """
    SELECT n.id, n.key, n.rule, n.recipient_id, n.channel, CAST(n.source_id AS bigint) AS commitment_id
    FROM portal_notification n
    WHERE n.state = 'scheduled' AND n.source_type_id = %(pending_type)s AND n.rule LIKE %(pending_prefix)s
      AND n.source_id ~ '^[0-9]{1,18}$'
"""

# Up to this many sources (an incremental beat's usual load, with its slice), the stale rows are found
# by index lookups; more (a day's window entry at national scale) by hash joins.
FEW = 5000

# An incremental beat: only the pending rows of the commitments it looks at.
_PENDING_ONLY = "AND n.source_id = ANY(CAST(%(only_text)s AS varchar[]))"

# The first beat (or one after a settings change): the pending rows due soon, those of the
# commitments in the window, and the slice; the others wait for their slice.
# A union of index lookups (notification_pending_source, notification_pending_type_due) rather than
# one filter over every scheduled row of the rule: most of those wait for their slice.
_PENDING_RESTART = """
    AND n.source_id = ANY(CAST(%(part_text)s AS varchar[]))
    UNION {base} AND n.due_at IS NULL
    UNION {base} AND n.due_at BETWEEN %(oldest)s AND %(soon)s
    UNION {base} AND n.source_id IN (
        SELECT CAST(c.id AS varchar) FROM {commitment} c
        WHERE c.status = ANY(%(open)s) AND c.due_date BETWEEN %(first)s AND %(last)s)
"""


def _pending_only(only: list | None, part) -> str:
    """Which pending rows the scan looks at (a template of `tables`): see `rules._sources`."""
    if only is not None:
        return _PENDING_ONLY
    return "" if part is None else _PENDING_RESTART


# The commitments the scan looks at: open ones due around now, and those with pending rows
# (of an incremental beat: only those among `only`).
_IDS = """
    SELECT c.id FROM {commitment} c
    WHERE c.status = ANY(%(open)s) AND c.due_date BETWEEN %(first)s AND %(last)s {only}
    UNION
    SELECT commitment_id FROM ({pending}) pending
"""

_IDS_ONLY = "AND c.id = ANY(CAST(%(only)s AS bigint[]))"

_SOURCES = "SELECT count(*) FROM ({ids}) ids"

# A kabupaten's code from a region code (`kabupaten_of`): "63.05.01" -> "63.05".
_KABUPATEN = "CASE WHEN strpos({code}, '.') > 0 THEN split_part({code}, '.', 1) || '.' || split_part({code}, '.', 2) END"

# The open commitments the scan looks at (reminder_src): those of the window from the covering
# index `commitment_open_due`, and those with pending rows by primary key (the meeting's region
# is kept on the commitment).
_SRC = """
    SELECT c.id, c.due_date, c.owner_id, c.pic_id, c.meeting_region_id AS region_id FROM {commitment} c
    WHERE c.status = ANY(%(open)s) AND c.due_date BETWEEN %(first)s AND %(last)s {only}
    UNION
    SELECT c.id, c.due_date, c.owner_id, c.pic_id, c.meeting_region_id FROM {commitment} c
    WHERE c.status = ANY(%(open)s) AND c.id IN (SELECT commitment_id FROM ({pending}) pending)
"""

# ... and their people (`focal_points`, `kabupaten_admins`; reminder_people).
_PEOPLE = """
    SELECT s.id AS commitment_id, s.pic_id AS user_id, 'focal' AS kind FROM reminder_src s
    UNION
    SELECT s.id, o.head_id, 'focal' FROM reminder_src s JOIN {organisation} o ON o.id = s.owner_id
    UNION
    SELECT s.id, r.user_id, 'focal' FROM reminder_src s
    JOIN {role} r ON r.role = %(focal_role)s AND r.organisation_id = s.owner_id
    UNION
    SELECT s.id, r.user_id, 'admins' FROM reminder_src s
    JOIN {role} r ON r.role = %(admin_role)s AND r.region_id = {kabupaten}
"""

_PEOPLE_READ = """
    src AS (SELECT * FROM reminder_src),
    people AS (SELECT * FROM reminder_people)
"""

# Every row `CommitmentDeadlineRule.reminders` wants that may be created now.
_WANTED = """
    WITH {people},
    ladder AS (
        SELECT s.id, p.user_id, u.email, st.stage, st.people, st.extra,
            jsonb_build_object('due_date', to_char(s.due_date, 'YYYY-MM-DD')) || st.extra AS context,
            %(name)s || ':' || st.stage || ':' || to_char(s.due_date, 'YYYY-MM-DD') AS rule,
            ((s.due_date + st.send) + CAST(%(send_time)s AS time)) AT TIME ZONE %(tz)s AS send_at,
            ((s.due_date + st.expires) + CAST(%(send_time)s AS time)) AT TIME ZONE %(tz)s AS expires_at
        FROM src s
        CROSS JOIN jsonb_to_recordset(CAST(%(stages)s AS jsonb))
            AS st(stage text, send int, expires int, extra jsonb, people text)
        JOIN people p ON p.commitment_id = s.id AND p.kind = st.people
        JOIN {user} u ON u.id = p.user_id AND u.is_active
        {ladder_where}
    )
    SELECT %(origin)s || r.id || '|' || r.rule || '|' || r.user_id || '|' || ch.channel AS key,
        r.rule, ch.channel, r.user_id AS recipient_id, CAST(r.id AS text) AS source_id,
        CASE WHEN ch.channel = 'email' AND r.people = 'focal'
            THEN r.context || jsonb_build_object('one_tap_url',
                jsonb_build_object('one_tap', %(action)s, 'pk', r.id, 'query', ''))
            ELSE r.context END AS context,
        r.send_at, r.expires_at
    FROM ladder r CROSS JOIN (VALUES ('email'), ('inapp')) ch(channel)
    WHERE r.send_at >= %(oldest)s AND (ch.channel <> 'email' OR r.email <> '')
"""

# A first beat (`Part`): of the rows due after `soon`, only those of its own slice, and those
# pending already (to move them); the others come with their commitment's slice.
# `_LADDER_FIRST` keeps, before their keys and contexts are built, the ladder's rows that may
# pass `_WANTED_FIRST` (a row whose key is pending has its stem pending by one of the two
# channels); `_WANTED_FIRST` then decides per channel. A first beat built the keys and
# contexts of every row (100,000 at national scale) to keep one in ten.
_LADDER_FIRST = """
        WHERE ((s.due_date + st.send) + CAST(%(send_time)s AS time)) AT TIME ZONE %(tz)s <= %(soon)s
           OR s.id %% %(parts)s = %(part)s
           OR %(origin)s || s.id || '|' || %(name)s || ':' || st.stage || ':'
               || to_char(s.due_date, 'YYYY-MM-DD') || '|' || p.user_id || '|email'
               IN (SELECT key FROM reminder_pending)
           OR %(origin)s || s.id || '|' || %(name)s || ':' || st.stage || ':'
               || to_char(s.due_date, 'YYYY-MM-DD') || '|' || p.user_id || '|inapp'
               IN (SELECT key FROM reminder_pending)
"""
_WANTED_FIRST = """
    SELECT * FROM ({wanted}) w
    WHERE w.send_at <= %(soon)s OR CAST(w.source_id AS bigint) %% %(parts)s = %(part)s
       OR w.key IN (SELECT key FROM reminder_pending)
"""

# Pending rows no longer wanted: their commitment is gone or closed, their stage or date is
# not a current one, or their recipient is no longer an active focal point (kabupaten admin).
_STALE = """
    WITH pending AS MATERIALIZED ({pending}),
    {people},
    kept AS (
        SELECT p.id FROM pending p
        JOIN src s ON s.id = p.commitment_id
        JOIN jsonb_to_recordset(CAST(%(stages)s AS jsonb)) AS st(stage text, people text)
            ON p.rule = %(name)s || ':' || st.stage || ':' || to_char(s.due_date, 'YYYY-MM-DD')
        JOIN people pp ON pp.commitment_id = s.id AND pp.kind = st.people AND pp.user_id = p.recipient_id
        JOIN {user} u ON u.id = p.recipient_id AND u.is_active
        WHERE p.channel IN ('email', 'inapp')
          AND p.key = %(origin)s || s.id || '|' || p.rule || '|' || p.recipient_id || '|' || p.channel
    )
    SELECT p.id FROM pending p WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = p.id)
"""


def invitees(meeting: Meeting, responses) -> dict:
    """{person: their invitation} for the meeting's invitations with one of `responses`."""
    return invitees_of([meeting], responses)[meeting.pk]


def invitees_of(meetings: list[Meeting], responses) -> dict[int, dict]:
    """`invitees` of many meetings in three queries (invitations, heads, focal points); within
    one scan, the rules asking about the same meetings share them (`scan_memo`)."""
    pks = {m.pk for m in meetings}
    memo = scan_memo()
    loaded = memo.get("invitations")
    if loaded is None or not (pks <= loaded[0] and set(responses) <= loaded[1]):
        kinds = set(responses) | set(NOT_DECLINED)  # what the meeting rules ask for, at once
        invitations = list(
            Invitation.objects.filter(meeting__in=pks, response__in=kinds).select_related("person")
        )
        contacts = contacts_by_organisation(i.organisation_id for i in invitations if not i.person_id)
        loaded = memo["invitations"] = (pks, kinds, invitations, contacts)
    _pks, _kinds, invitations, contacts = loaded
    people: dict[int, dict] = defaultdict(dict)
    for invitation in invitations:
        if invitation.meeting_id not in pks or invitation.response not in responses:
            continue
        recipients = (
            [invitation.person] if invitation.person_id else contacts.get(invitation.organisation_id, [])
        )
        for person in recipients:
            people[invitation.meeting_id].setdefault(person, invitation)
    return people


NOT_DECLINED = [Invitation.Response.PENDING, Invitation.Response.HADIR, Invitation.Response.DIWAKILKAN]


class MeetingRule(ReminderRule):
    model = "meetings.Meeting"
    responses: list = NOT_DECLINED

    def prepare(self, meetings: list[Meeting], now, cfg) -> None:
        people = invitees_of(meetings, self.responses)
        for meeting in meetings:
            setattr(meeting, f"{self.name}_people", people.get(meeting.pk, {}))

    def people(self, meeting: Meeting) -> dict:
        prepared = getattr(meeting, f"{self.name}_people", None)
        return invitees(meeting, self.responses) if prepared is None else prepared

    def lead(self) -> timedelta:
        """How long before the start the rule's earliest message goes out."""
        raise NotImplementedError

    def candidates(self, now, cfg):
        # The meetings whose messages go out within a day (each rule its own window: the
        # reminder's is half the nudge's, and a beat then handles half as many meetings).
        ahead = self.lead() + timedelta(days=1)
        return Meeting.objects.filter(status=Meeting.Status.SCHEDULED, start__gt=now, start__lte=now + ahead)

    def is_on(self, meeting: Meeting, now) -> bool:
        return meeting.status == Meeting.Status.SCHEDULED and meeting.start > now

    def still_wanted(self, notification: Notification, meeting: Meeting) -> bool:
        return (
            self.is_on(meeting, timezone.now())
            and notification.rule.endswith(meeting_stamp(meeting))
            and notification.recipient_id in {p.pk for p in self.people(meeting)}
        )


# Registered before the reminder: its window is usually the wider, so the reminder's
# meetings are among those whose invitations it read (`invitees_of`, `scan_memo`).
@register
class MeetingRsvpNudgeRule(MeetingRule):
    """A nudge to invitees who have not answered yet."""

    name = "meeting_rsvp_nudge"
    responses = [Invitation.Response.PENDING]

    def lead(self) -> timedelta:
        return timedelta(days=option("rsvp_nudge_days_before"))

    def reminders(self, meeting: Meeting, now, cfg: ReminderSettings) -> list[Reminder]:
        if not self.is_on(meeting, now):
            return []
        day = timezone.localdate(meeting.start) - timedelta(days=option("rsvp_nudge_days_before"))
        return [
            Reminder(
                rule=f"{self.name}:{meeting_stamp(meeting)}",
                recipients=[person],
                send_at=at(day, cfg.send_time),
                expires_at=meeting.start,
                context={"rsvp_url": rsvp_link(invitation)},
            )
            for person, invitation in self.people(meeting).items()
        ]


@register
class MeetingReminderRule(MeetingRule):
    """H-1 and a few hours before, to invitees who have not declined."""

    name = "meeting_reminder"
    responses = NOT_DECLINED

    def lead(self) -> timedelta:
        return max(
            timedelta(days=option("meeting_days_before")), timedelta(hours=option("meeting_hours_before"))
        )

    def reminders(self, meeting: Meeting, now, cfg: ReminderSettings) -> list[Reminder]:
        if not self.is_on(meeting, now):
            return []
        stamp, wanted = meeting_stamp(meeting), []
        days, hours = option("meeting_days_before"), option("meeting_hours_before")
        # One reminder per person: each carries that person's own RSVP link.
        for person, invitation in self.people(meeting).items():
            context = {"rsvp_url": rsvp_link(invitation)}
            wanted += [
                Reminder(
                    rule=f"{self.name}:days:{stamp}",
                    recipients=[person],
                    send_at=meeting.start - timedelta(days=days),
                    expires_at=meeting.start,
                    context={**context, "stage": "days", "days": days},
                ),
                Reminder(
                    rule=f"{self.name}:hours:{stamp}",
                    recipients=[person],
                    send_at=meeting.start - timedelta(hours=hours),
                    expires_at=meeting.start,
                    context={**context, "stage": "hours", "hours": hours},
                ),
            ]
        return wanted


@register
class MeetingCommitmentsRule(ReminderRule):
    """Once the minutes are approved: each PIC and focal point gets the list of their new commitments."""

    name = "meeting_commitments"
    model = "meetings.Meeting"

    def candidates(self, now, cfg):
        return Meeting.objects.filter(
            minutes__status=Minutes.Status.APPROVED, minutes__approved_at__gte=now - timedelta(days=2)
        )

    def prepare(self, meetings: list[Meeting], now, cfg) -> None:
        """The approved minutes and each person's new commitments, for all meetings at once."""
        approved = {
            m.meeting_id: m
            for m in Minutes.objects.filter(
                meeting__in=[m.pk for m in meetings], status=Minutes.Status.APPROVED
            )
        }
        commitments = list(
            Commitment.objects.open().filter(meeting__in=list(approved)).select_related("owner__head", "pic")
        )
        prepare_focal_points(commitments)
        mine: dict[int, dict] = defaultdict(dict)
        for commitment in commitments:
            for person in focal_points(commitment):
                mine[commitment.meeting_id].setdefault(person, []).append(commitment)
        for meeting in meetings:
            meeting.reminder_minutes = approved.get(meeting.pk)
            meeting.reminder_commitments = mine.get(meeting.pk, {})

    def reminders(self, meeting: Meeting, now, cfg: ReminderSettings) -> list[Reminder]:
        if not hasattr(meeting, "reminder_commitments"):
            self.prepare([meeting], now, cfg)
        minutes = meeting.reminder_minutes
        if minutes is None or minutes.approved_at is None:
            return []
        mine = meeting.reminder_commitments
        wanted = []
        for person, commitments in mine.items():
            items = [
                {
                    "description": c.description[:300],
                    "due_date": c.due_date.isoformat(),
                    "url": c.get_absolute_url(),
                }
                for c in commitments
            ]
            # The email carries the person's own one-tap progress link per commitment; the
            # in-app row (whose text may be shared to a WhatsApp group) does not.
            links = [
                {**item, "one_tap_url": progress_link(c)} for item, c in zip(items, commitments, strict=True)
            ]
            wanted += [
                Reminder(
                    rule=f"{self.name}:{meeting.pk}",
                    recipients=[person],
                    send_at=minutes.approved_at,
                    # The PIC may not see the meeting itself (a kabupaten rakor): link their list.
                    context={"items": rows, "url": reverse("meetings:my-commitments")},
                    channels=channels,
                )
                for rows, channels in (
                    (links, (Notification.Channel.EMAIL,)),
                    (items, (Notification.Channel.INAPP,)),
                )
            ]
        return wanted


# --- buttons under the in-app messages ----------------------------------------------


ANSWER_BUTTONS = {
    Invitation.Response.HADIR: _("Attend"),
    Invitation.Response.IZIN: _("Excused"),
    Invitation.Response.DIWAKILKAN: _("Send a representative"),
}


@register_actions("meeting_invitation", "meeting_reminder", "meeting_rsvp_nudge", "meeting_changed")
def meeting_actions(notification: Notification) -> list[Action]:
    """Answer from the message: each button opens the meeting with that answer chosen."""
    url = reverse_pk("meetings:meeting-detail", notification.source_id)
    if notification.context.get("cancelled"):
        return [Action(_("Open the meeting"), url)]
    return [
        Action(label, f"{url}?answer={answer}#rsvp", primary=answer == Invitation.Response.HADIR)
        for answer, label in ANSWER_BUTTONS.items()
    ]


@register_actions("commitment_due", "commitment_reopened")
def commitment_actions(notification: Notification) -> list[Action]:
    url = reverse_pk("meetings:commitment-detail", notification.source_id)
    return [Action(_("Update progress"), f"{url}#progress", primary=True)]
