"""Meetings (rakor, rembuk, diseminasi AKS, ...) and their agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, connections, models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.access import acts_in
from portal.choice_labels import ChoiceLabelsMixin
from portal.links import reverse_pk
from portal.models import (
    Organisation,
    Region,
    ScopedQuerySet,
    new_checkin_code,
    region_q,
    region_range_q,
)
from portal.roles import Role

if TYPE_CHECKING:
    from .invitations import Invitation


class MeetingQuerySet(ScopedQuerySet):
    region_field = "region_id"

    def visible_to(self, user, *, up_to: int | None = None, walk: bool = True) -> MeetingQuerySet:
        """Meetings in the user's regions, plus those the user or their organisation is invited to.

        A draft is seen only by its organisers (who may write meetings there) until scheduled:
        invitees, the chair and read-only roles cannot see or answer it yet.

        `up_to`: only the first `up_to` rows in this queryset's order are wanted (a list's page
        and those before it). Each part of the union is then ordered and cut there, so a page
        reads at most `up_to` rows per part instead of every meeting the user may see; its first
        `up_to` rows are those of `visible_to(user)` in the same order (which must end with a
        unique field such as the primary key, or ties may come out in another order).

        `walk=False`: an organisation's invited meetings are always looked up from its
        invitations, never found by walking the meetings in start order (see
        _invited_organisations). A filter or a search that leaves out most meetings (a status,
        a title) made the walk cross the whole country's meetings for a page."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        rows = self._chain()
        if len(rows.query.alias_map) <= 1:
            # Every filter of this queryset is inside each part of the union: repeated outside,
            # it made PostgreSQL read the whole window (every upcoming meeting of the country)
            # again. (A filter through a join stays: its join alone would repeat rows.)
            rows.query.clear_where()
        ids = self.visible_ids(user, up_to=up_to, walk=walk)
        # The union as its SQL: as a queryset, Django relabels (clones) every part of it for the
        # outer query on each further filter, slice and annotation, and when compiling (3 ms of
        # Python a list page at full scale). The same statement, built and compiled once.
        try:
            sql, params = ids.query.get_compiler(using=ids.db).as_sql()
        except EmptyResultSet:  # every part of the union is empty (no region, no invitation)
            return self.none()
        return rows.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - the ORM's own SQL and parameters

    def visible_ids(self, user, *, up_to: int | None = None, walk: bool = True) -> models.QuerySet:
        """The primary keys of `visible_to(user, up_to=up_to)`, as one query (a UNION): counting
        them needs no meeting rows."""
        if not user.is_authenticated or not user.is_active:
            return self.none().values("pk")
        if user.is_superuser:
            return self.values("pk")
        # One UNION of index-friendly parts: an OR of the region rule with the invitation
        # subquery kept PostgreSQL from using any index, so every list read all meetings (90 ms
        # at 10% of national scale for a camat's 20 rows).
        # The arms start from this queryset, so a window chosen before (`upcoming()`, `past()`)
        # is applied inside each arm, where an index serves it, not to all the user's meetings.
        meetings = self.order_by()
        published = meetings.exclude(status=Meeting.Status.DRAFT)
        # As one prefix range per code: the region's part is read from meeting_published_region_start.
        in_region = published.filter(region_range_q(user.scope_codes(), self.region_field))
        chaired = published.filter(chair=user)
        drafts = meetings.filter(status=Meeting.Status.DRAFT).filter(
            region_q(user.scope_codes(roles=WRITER_ROLES), self.region_field) | Q(created_by=user)
        )
        if self.query.has_filters():
            # Each invitation's meeting looked up in the window by its key: a join let
            # PostgreSQL hash every meeting of the window (all past meetings of the country)
            # to match an office's few thousand invitations.
            in_window = published.filter(pk=models.OuterRef("meeting_id")).values("pk")[:1]

            def checked(rows):
                return rows.alias(in_window=models.Subquery(in_window)).filter(in_window__isnull=False)

        else:
            drafts_ids = Meeting._default_manager.order_by().filter(status=Meeting.Status.DRAFT).values("pk")

            def checked(rows):
                return rows.exclude(meeting_id__in=drafts_ids)

        outside = _outside_regions(user)
        invitations = checked(self._invitations(user).filter(outside))
        invited = invitations.values("meeting_id")
        order = self.query.order_by or (Meeting._meta.ordering if self.query.default_ordering else ())
        # SQLite (the embedded default) cuts no part of a UNION: it reads the whole union.
        cuts_parts = connections[self.db].features.supports_slicing_ordering_in_compound
        if up_to is None or not cuts_parts or not all(isinstance(term, str) for term in order):
            return in_region.values("pk").union(chaired.values("pk"), invited, drafts.values("pk"))
        # Each part in the list's order (if any), cut at the end of the page (a top-N per part).
        if _by_region_code_pays(self, user, order):
            by_region = _first_by_region_code(published, user.scope_codes(), order, up_to)
        else:
            by_region = in_region.order_by(*_sorted_not_walked(order)).values("pk")[:up_to]
        parts = [by_region] + [p.order_by(*order).values("pk")[:up_to] for p in (chaired, drafts)]
        if not order:
            # Any `up_to` rows will do (a count cut there): when the region alone has as many,
            # the invitations are not read at all (an office's tens of thousands, for its past
            # list). PostgreSQL checks the condition once.
            region_is_enough = models.Exists(in_region.values("pk")[up_to - 1 : up_to])
            invited = invited.filter(~region_is_enough).distinct()
            return parts[0].union(parts[1], invited[:up_to], parts[2])
        # A person's own invitations are few: looked up one by one, in the meetings' order.
        # Each from its own index, without the other's OR: an office's invitations are then read
        # from the (organisation, meeting) index alone, not from the table (a block each).
        in_person = checked(_invitations_where(person=user).filter(outside)).values("meeting_id")
        parts.append(_in_meeting_order(in_person, published, order)[:up_to])
        organisations = user_organisations(user)
        # The walk follows the start index (the lists' order): another order would sort them all.
        walkable = walk and order[0].lstrip("-") == "start" and connections[self.db].vendor == "postgresql"
        of_organisations = checked(_invitations_where(organisation__in=organisations).filter(outside))
        if organisations and walkable:
            parts += _invited_organisations(published, of_organisations, organisations, order, up_to)
        elif organisations:
            of_organisations = of_organisations.values("meeting_id")
            parts.append(_in_meeting_order(of_organisations, published, order)[:up_to])
        return parts[0].union(*parts[1:])

    def visible_bounds(self, user, field: str) -> dict:
        """The least and greatest `field` ({"first": .., "last": ..}, None when there is none) of
        `visible_to(user)`, in two queries: each part of the union but the invitations gives its
        own MIN and MAX (merged here), and the invitations their meetings' MIN and MAX, each
        meeting's `field` read once by its key. Two one-row pages of the union (first, last)
        looked an office's invitations up twice; a MIN/MAX over the meetings IN the union
        hashed every meeting of the country."""
        if not user.is_authenticated or not user.is_active:
            return {"first": None, "last": None}
        if user.is_superuser:
            return self.order_by().aggregate(first=models.Min(field), last=models.Max(field))
        meetings = self.order_by()
        published = meetings.exclude(status=Meeting.Status.DRAFT)
        drafts = meetings.filter(status=Meeting.Status.DRAFT).filter(
            region_q(user.scope_codes(roles=WRITER_ROLES), self.region_field) | Q(created_by=user)
        )
        in_region = published.filter(region_range_q(user.scope_codes(), self.region_field))
        # As expressions no index matches: a MIN or MAX of the start index walked it across the
        # country from either end, past every meeting of other regions, to the region's first.
        value = Coalesce(F(field), F(field))
        rows = [
            part.values(one=models.Value(1)).annotate(first=models.Min(value), last=models.Max(value))
            for part in (in_region, published.filter(chair=user), drafts)
        ]
        parts = (
            rows[0].values("first", "last").union(*(r.values("first", "last") for r in rows[1:]), all=True)
        )
        # NULL for an invitation whose meeting is a draft or outside the filters (skipped by MIN
        # and MAX), read once per invitation: behind OFFSET 0, which PostgreSQL does not flatten
        # into the aggregates (each of them evaluated the look-up again). The person's and the
        # offices' apart, each from its own index (an office's from (organisation, meeting) alone).
        of_meeting = published.filter(pk=models.OuterRef("meeting_id")).values(field)[:1]
        sql, params = parts.query.sql_with_params()
        outside = _outside_regions(user)
        invitations = [_invitations_where(person=user).filter(outside)]
        if organisations := user_organisations(user):
            invitations.append(_invitations_where(organisation__in=organisations).filter(outside))
        fence = " OFFSET 0" if connections[self.db].vendor == "postgresql" else ""
        for part in invitations:
            invited = part.annotate(value=models.Subquery(of_meeting)).values("value")
            invited_sql, invited_params = invited.query.sql_with_params()
            sql += f" UNION ALL SELECT MIN(v.value), MAX(v.value) FROM ({invited_sql}{fence}) AS v"  # noqa: S608
            params += invited_params
        # The columns are named by the first part ("first", "last"; SQLite takes no column list).
        sql = f'SELECT MIN(b."first"), MAX(b."last") FROM ({sql}) AS b'  # noqa: S608 - the ORM's SQL
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            first, last = cursor.fetchone()
        return {"first": self._bound_value(field, first), "last": self._bound_value(field, last)}

    def _bound_value(self, field: str, value):
        """A value read by raw SQL as the ORM gives it: SQLite returns a date and time as text
        (UTC, without its zone)."""
        if not isinstance(value, str):
            return value
        value = self.model._meta.get_field(field).to_python(value)
        if isinstance(value, datetime) and settings.USE_TZ and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return value

    def invited(self, user) -> MeetingQuerySet:
        """Meetings the user is invited to, in person or through an organisation they speak for."""
        return self.filter(pk__in=self.invited_ids(user))

    @classmethod
    def invited_ids(cls, user) -> models.QuerySet:
        return cls._invitations(user).values("meeting_id")

    @staticmethod
    def _invitations(user) -> models.QuerySet:
        from .invitations import Invitation

        return Invitation.objects.filter(
            Q(person=user) | Q(organisation__in=user_organisations(user))
        ).order_by()

    def upcoming(self) -> MeetingQuerySet:
        # A bound on the start too, implied by the end and the longest meeting (read from an
        # index): a list in start order then reads its index from shortly before now instead of
        # walking past every meeting that already ended.
        now = timezone.now()
        started_after = ExpressionWrapper(now - _duration("-"), output_field=models.DateTimeField())
        return self.filter(end__gte=now, start__gte=started_after).exclude(status=Meeting.Status.CANCELLED)

    def past(self) -> MeetingQuerySet:
        # Likewise from the shortest meeting: newest first starts its index near now.
        now = timezone.now()
        started_before = ExpressionWrapper(now - _duration(""), output_field=models.DateTimeField())
        return self.filter(end__lt=now, start__lt=started_before)


def _outside_regions(user) -> Q:
    """The invitations to meetings outside the user's regions. Those to meetings inside are
    left out of the invitations' parts of `visible_to`: such a meeting, if published and within
    the list's filters (as every part's must be), is in the region's part already. Told from
    the copy of the meeting's region in the office's invitation index, without looking the
    meeting up (the DPPKB office of the heavy kabupaten: 7,800 look-ups for a searched list)."""
    codes = user.scope_codes()
    return ~region_q(codes, "meeting_region_id") if codes else Q()  # a NULL copy stays (NOT IN keeps it)


def _invitations_where(**lookups) -> models.QuerySet:
    from .invitations import Invitation

    return Invitation.objects.filter(**lookups).order_by()


def _invited_organisations(meetings, invitations, organisations: list[int], order, up_to: int) -> list:
    """The first `up_to` of `meetings` (published ones of the window) in `order` that one of
    `organisations` is invited to (`invitations`: theirs in the window), as two parts of
    which only one reads anything. An office invited to a few percent of the country's meetings:
    the window is walked in order, each meeting asking for an invitation by its key, and the
    walk stops at the page's end (some hundred meetings), where looking up the meeting of each
    of the office's tens of thousands of invitations read them all. An office invited to few
    meetings: the walk would cross the whole window, so the invitations are looked up. PostgreSQL
    checks the condition once, before either part."""
    from .invitations import Invitation

    walk = _walk_pays(organisations, up_to)
    probe = Invitation.objects.order_by().filter(
        meeting=models.OuterRef("pk"), organisation__in=organisations
    )
    walked = meetings.filter(walk).alias(probe=models.Subquery(probe.values("pk")[:1]))
    walked = walked.filter(probe__isnull=False).order_by(*order).values("pk")[:up_to]
    looked_up = invitations.filter(~walk).values("meeting_id")
    return [walked, _in_meeting_order(looked_up, meetings, order)[:up_to]]


def _walk_pays(organisations: list[int], up_to: int) -> models.Expression:
    """Whether walking the meetings in order beats looking up the organisations' invitations:
    to find `up_to` of N invited meetings among M, a walk probes about up_to * M / N meetings
    where the look-up reads N invitations, so it pays from N >= sqrt(up_to * M). N is counted up
    to that bound only, from the (organisation, meeting) index; M is the planner's row count."""
    from .invitations import Invitation

    invitation = connection.ops.quote_name(Invitation._meta.db_table)
    sql = (
        "COALESCE((SELECT COUNT(*) >= MAX(bound.n) FROM"  # noqa: S608 - a model's table
        " (SELECT CEIL(SQRT(%s * GREATEST(reltuples, 1)))::bigint AS n FROM pg_class"
        " WHERE oid = %s::regclass) AS bound,"
        f" LATERAL (SELECT 1 FROM {invitation} WHERE organisation_id = ANY(%s) LIMIT bound.n) AS one),"
        " false)"
    )
    params = (up_to, Meeting._meta.db_table, organisations)
    return models.expressions.RawSQL(sql, params, output_field=models.BooleanField())  # noqa: S611 - parameters only


def _in_meeting_order(invited: models.QuerySet, meetings: models.QuerySet, order) -> models.QuerySet:
    """The invitations' meetings (`invited`: their meeting_id), each once, in `order` of the
    meetings. Each meeting's keys are looked up by its primary key: a join let PostgreSQL read
    every meeting matching the list's filters (half the country's, for a search) to sort an
    office's few thousand invitations."""
    keys = []
    for n, term in enumerate(order):
        name = term.lstrip("-")
        if name in ("pk", "id"):
            keys.append(term.replace(name, "meeting_id"))
            continue
        value = meetings.filter(pk=models.OuterRef("meeting_id")).values(name)[:1]
        invited = invited.annotate(**{f"key{n}": models.Min(models.Subquery(value))})
        keys.append(term.replace(name, f"key{n}"))
    return invited.order_by(*keys).values("meeting_id")


def _by_region_code_pays(meetings: MeetingQuerySet, user, order) -> bool:
    """Whether the region part is read per region code (`_first_by_region_code`): on
    PostgreSQL, for the whole list (no filter, whose columns the region index lacks) in an
    order of fields ending with the primary key, of a user whose regions are kabupaten/kota or
    below (a few hundred codes each; a province has thousands)."""
    codes = user.scope_codes()
    return (
        connections[meetings.db].vendor == "postgresql"
        and not meetings.query.has_filters()
        and bool(order)
        and order[-1].lstrip("-") in ("pk", "id")
        and bool(codes)
        and all(Region(code=code).kabupaten_code() for code in codes)
    )


def _first_by_region_code(published: models.QuerySet, codes: list[str], order, up_to: int) -> models.QuerySet:
    """The region part's first `up_to` meetings in `order` (of fields, ending with the primary
    key), read per region code: the first `up_to` of each code of the `codes`' subtrees from
    its own stretch of the (region, start) index, with their keys (the same ordered query
    once per key, so the arrays line up), merged and cut by those keys. Read as one range of
    the region index, all of a kabupaten's meetings were read and sorted for a page (25,000
    under a dozen of its 148 codes for the DPPKB admin of the heavy kabupaten at national
    scale: 22 ms; per code: 2 ms)."""
    from django.contrib.postgres.expressions import ArraySubquery

    first = published.filter(region_id=models.OuterRef("code")).order_by(*order)[:up_to]
    keys = {}
    for n, term in enumerate(order):
        name = term.lstrip("-")
        field = Meeting._meta.pk if name in ("pk", "id") else Meeting._meta.get_field(name)
        array = ArraySubquery(first.values(field.attname))
        keys[f"key{n}"] = models.Func(array, function="unnest", output_field=field.__class__())
    # Several set-returning functions in one SELECT list run in step (PostgreSQL 10 and later).
    per_code = Region.objects.filter(region_q(codes, "code")).order_by().values(**keys)
    sql, params = per_code.query.sql_with_params()
    merged = ", ".join(f"key{n} {'DESC' if term.startswith('-') else 'ASC'}" for n, term in enumerate(order))
    cut = f"SELECT key{len(order) - 1} FROM ({sql}) AS per_code ORDER BY {merged} LIMIT %s"  # noqa: S608 - the ORM's SQL
    return Meeting._default_manager.filter(pk__in=RawSQL(cut, (*params, up_to))).values("pk")  # noqa: S611


def _sorted_not_walked(order) -> list:
    """`order` as expressions no index matches. A region's meetings are then read from the
    region index and sorted; in start order, PostgreSQL walked the start index of the whole
    country, past every meeting a filter such as "held" leaves out (all future ones)."""
    terms = []
    for term in order:
        name = term.lstrip("-")
        if name in ("pk", "id"):
            terms.append(term)
            continue
        key = Coalesce(F(name), F(name))
        terms.append(key.desc() if term.startswith("-") else key.asc())
    return terms


def _duration(order: str) -> models.Subquery:
    """The longest ("-") or shortest ("") meeting's length, from the meeting_duration index."""
    length = ExpressionWrapper(F("end") - F("start"), output_field=models.DurationField())
    lengths = Meeting._default_manager.order_by().annotate(length=length)
    return models.Subquery(lengths.order_by(f"{order}length").values("length")[:1])


# Roles that may schedule and change meetings of their region (and below).
WRITER_ROLES = (Role.DPPKB_ADMIN, Role.NOTULIS, Role.CAMAT)
# How long before the start an invitee may already check in.
CHECKIN_OPENS_BEFORE = timedelta(minutes=60)
# Check-in codes avoid look-alike characters (0/O, 1/I) so they are easy to read off a screen.


def user_organisations(user) -> list[int]:
    """Organisations a user speaks for: their own, and those they are focal point of."""
    ids = {a.organisation_id for a in user.role_assignments() if a.organisation_id}
    if user.organisation_id:
        ids.add(user.organisation_id)
    return sorted(ids)


class Meeting(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        RAKOR = "rakor", _("Rakor TPPS")
        REMBUK = "rembuk", _("Rembuk stunting")
        DISEMINASI = "diseminasi", _("Diseminasi AKS")
        KONFERENSI_PAKAR = "konferensi_pakar", _("Konferensi tim pakar")
        PETIK_AKSI = "petik_aksi", _("Petik Aksi / berbagi praktik baik")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        LURING = "luring", _("In person (luring)")
        DARING = "daring", _("Online (daring)")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    class Recurrence(models.TextChoices):
        NONE = "", _("Does not repeat")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RAKOR)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="meetings"
    )
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), related_name="organised_meetings", blank=True
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.LURING)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous meeting in the series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_meetings",
    )
    checkin_code = models.CharField(_("check-in code"), max_length=12, default=new_checkin_code)
    # Incremented whenever time, place or link changes (ICS SEQUENCE, change notices).
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start"]
        indexes = [
            # A region's meetings by start; the id included: the meeting review's earlier
            # meetings (Commitment.carried_into) from the index alone.
            models.Index(fields=["region", "start"], include=["id"], name="meeting_region_start"),
            # The default order (newest first) and the upcoming/past lists, across regions.
            models.Index(fields=["start"], name="meeting_start"),
            models.Index(fields=["end"], name="meeting_end"),
            # The longest and shortest meeting (upcoming(), past()).
            models.Index(F("end") - F("start"), name="meeting_duration"),
            # The reminder scan: scheduled meetings starting soon.
            models.Index(
                fields=["start"], condition=models.Q(status="scheduled"), name="meeting_scheduled_start"
            ),
            # visible_to: drafts are few; invitations to them are left out of the visible set.
            # With the columns of the drafts arm's rule (a list's count, in no order), read from
            # the index alone: the kabupaten admin's count read all 10,000 drafts of the country
            # from the table to keep 500 (7 of the admin count's 11 ms at national scale).
            models.Index(
                fields=["id"],
                include=["region", "created_by"],
                condition=models.Q(status="draft"),
                name="meeting_draft",
            ),
            # Admin filtered by status, newest or oldest first (everything, for a superuser):
            # "held" walked the start index past every future meeting of the country (70 ms).
            models.Index(fields=["status", "start", "id"], name="meeting_status_start"),
            # visible_to's drafts arm in start order (a page, admin's first and last date): the
            # drafts alone, with the columns its rule and the lists' windows read (the end: the
            # upcoming and past lists), from the index alone. Without it the oldest draft of a
            # kabupaten was found by walking every meeting of the country from the oldest (220 ms
            # at national scale); without the end, a list read every draft of the country from
            # the table (5 ms of each list page of a kabupaten's admin).
            models.Index(
                fields=["start", "id"],
                include=["region", "created_by", "end"],
                condition=models.Q(status="draft"),
                name="meeting_draft_start",
            ),
            # visible_to's walk for an office's invitations (_invited_organisations): the
            # published meetings in start order with the columns the windows filter on, from
            # the index alone, each probed for an invitation. On the start index every meeting
            # passed was read from the table for its status (3,500 for the admin page of the
            # heavy kabupaten's DPPKB office: 9 of its query's 13 ms).
            models.Index(
                fields=["start", "id"],
                include=["end", "status"],
                condition=~models.Q(status="draft"),
                name="meeting_published_start",
            ),
            # visible_to's region arm under a list's time window (upcoming, past): a subtree of
            # regions (prefix match) and a range of end times, from the index alone.
            models.Index(
                fields=["region", "end"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=~models.Q(status="draft"),
                name="meeting_published_region_end",
            ),
            # visible_to's region arm in a list's order (the admin changelist: newest first, or
            # filtered and searched; the portal's lists, upcoming and past): a subtree of regions
            # as one prefix range (region_range_q), read from the index alone, filters and the
            # window's end included, where the table's pages of every meeting of a kabupaten
            # were read to sort them (without the end, a list's window looked each one up: 20,000
            # past meetings of the heavy kabupaten for the DPPKB admin's page).
            models.Index(
                fields=["region", "start", "id"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops", "int8_ops"],
                include=["status", "kind", "mode", "title", "venue", "end"],
                condition=~models.Q(status="draft"),
                name="meeting_published_region_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_pk("meetings:meeting-detail", self.pk)

    def clean(self) -> None:
        """The rules of a schedulable meeting, shared by the portal form and Django admin."""
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if self.mode in (self.Mode.DARING, self.Mode.HYBRID) and not self.online_link:
            errors["online_link"] = _("An online or hybrid meeting needs a link.")
        if self.mode in (self.Mode.LURING, self.Mode.HYBRID) and not self.venue.strip():
            errors["venue"] = _("An in-person or hybrid meeting needs a venue.")
        if errors:
            raise ValidationError(errors)

    @property
    def level(self) -> str:
        """Kabupaten, kecamatan or desa: the level of the meeting's region."""
        return self.region.level

    # Fields whose change makes calendars and invitees need an update.
    SCHEDULE_FIELDS = ("start", "end", "mode", "venue", "online_link", "status")

    # Allowed status moves; "minutes approved" is reached only by approving the minutes.
    TRANSITIONS = {
        Status.DRAFT: {Status.DRAFT, Status.SCHEDULED, Status.CANCELLED},
        Status.SCHEDULED: {Status.SCHEDULED, Status.DRAFT, Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.HELD, Status.SCHEDULED},
        Status.MINUTES_APPROVED: {Status.MINUTES_APPROVED},
        Status.CANCELLED: {Status.CANCELLED, Status.DRAFT, Status.SCHEDULED},
    }

    def can_change(self, user) -> bool:
        """Writers are DPPKB admins / notulis of the kabupaten and camat of the kecamatan."""
        if user.is_superuser:
            return True
        return user.has_perm("meetings.change_meeting") and acts_in(user, self.region, WRITER_ROLES)

    def has_been_held(self, now=None) -> bool:
        if self.status in (self.Status.HELD, self.Status.MINUTES_APPROVED):
            return True
        return self.status == self.Status.SCHEDULED and self.end <= (now or timezone.now())

    def can_approve_minutes(self, user) -> bool:
        """Only the chair approves the minutes, and only once the meeting has been held."""
        return self.chair_id is not None and self.chair_id == user.pk and self.has_been_held()

    def may_name_chair(self, chair, acting_user) -> bool:
        """A writer never names themselves chair: the chair approves the minutes they write.
        (Keeping a chair someone else named is fine.)"""
        return chair is None or chair.pk != acting_user.pk or chair.pk == self.chair_id

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.DARING, self.Mode.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.mode in (self.Mode.LURING, self.Mode.HYBRID)

    @property
    def place(self) -> str:
        parts = [self.venue if self.is_in_person else "", self.online_link if self.is_online else ""]
        return " / ".join(p for p in parts if p)

    def organiser_names(self) -> str:
        return ", ".join(o.short_name or o.name for o in self.organisers.all())

    def ics_uid(self) -> str:
        return f"meeting-{self.pk}@portal-tpps"

    def checkin_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status not in (self.Status.CANCELLED, self.Status.DRAFT)
            and self.start - CHECKIN_OPENS_BEFORE <= now <= self.end
        )

    def invitee_rows(self) -> list[dict]:
        """The people expected: one row per invited person, per contact of an invited organisation
        (or the organisation alone when it has no contact in the portal)."""
        rows, seen = [], set()
        # Personal invitations first: someone also invited through their office is listed
        # once, with their own answer.
        invitations = self.invitations.select_related("person__organisation", "organisation").order_by(
            F("organisation_id").asc(nulls_first=True), "pk"
        )
        for invitation in invitations:
            if invitation.person_id:
                people = [invitation.person]
            else:
                people = invitation.organisation.contacts()
                if not people:
                    rows.append(
                        {
                            "invitation": invitation,
                            "person": None,
                            "name": "",
                            "jabatan": "",
                            "instansi": invitation.organisation.name,
                        }
                    )
            for person in people:
                if person.pk in seen:
                    continue
                seen.add(person.pk)
                instansi = invitation.organisation or person.organisation
                rows.append(
                    {
                        "invitation": invitation,
                        "person": person,
                        "name": person.get_full_name(),
                        "jabatan": person.jabatan,
                        "instansi": instansi.name if instansi else "",
                    }
                )
        return rows

    def invitation_for(self, user) -> Invitation | None:
        """The invitation through which this user is expected (their own first)."""
        invitations = list(
            self.invitations.filter(Q(person=user) | Q(organisation__in=user_organisations(user))).order_by(
                F("organisation_id").asc(nulls_first=True), "pk"
            )
        )
        return invitations[0] if invitations else None

    def email_attachments(self, notification) -> list[tuple[str, bytes, str]]:
        """The meeting's calendar entry, attached to invitations and change notices."""
        from ..ics import meeting_calendar

        return [(f"rapat-{self.pk}.ics", meeting_calendar([self]), "text/calendar")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    minutes_planned = models.PositiveSmallIntegerField(_("minutes planned"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title
