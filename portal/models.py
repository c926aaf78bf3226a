"""The shared core: regions, organisations, people and their region-scoped roles."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choice_labels import ChoiceLabelsMixin
from .dashboard import TrackedQuerySet
from .inbox import InboxQuerySet
from .links import reverse_pk
from .roles import ROLE_LEVELS, STAFF_ROLES, Role
from .usercache import RenewingQuerySet

if TYPE_CHECKING:
    from collections.abc import Iterable


def row_count(queryset: models.QuerySet, field: str) -> models.Expression:
    """COUNT of `queryset` rows whose `field` is the outer row, as a correlated subquery. On a
    paginated list PostgreSQL evaluates it for the page's rows only (after ORDER BY .. LIMIT),
    where Count() over a join groups every matching row first."""
    counted = queryset.filter(**{field: models.OuterRef("pk")}).order_by().values(field)
    return Coalesce(models.Subquery(counted.annotate(n=models.Count("pk")).values("n")), 0)


def region_q(codes: Iterable[str], field: str = "region") -> Q:
    """Q matching rows whose `field` is one of `codes` or lies under one of them.

    Region codes are hierarchical ("63.05" is the parent of "63.05.04"), so the
    subtree of a region is its code plus every code starting with "<code>.".
    """
    field = _code_path(field)
    codes = list(codes)
    q = Q(**{f"{field}__in": codes}) if codes else Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field}__startswith": f"{code}."})
    return q


def region_range_q(codes: Iterable[str], field: str = "region") -> Q:
    """`region_q(codes, field)` with each code's subtree also as one prefix range (`LIKE
    'code%'`): an index on the code with `varchar_pattern_ops` reads the subtree as one range
    (and can return it in order, or from the index alone), where the OR of the code and its
    children is two scans whose rows are merged as a bitmap of the table's pages. The range
    alone would also match a sibling code that starts with the same characters; the exact
    rule stays as a filter on the range's rows."""
    codes = list(codes)
    if not codes:
        return region_q(codes, field)
    path = _code_path(field)
    in_ranges = Q(**{f"{path}__startswith": codes[0]})
    for code in codes[1:]:
        in_ranges |= Q(**{f"{path}__startswith": code})
    return in_ranges & region_q(codes, field)


def _code_path(field: str) -> str:
    """ "region", "region_id" or "meeting__region_id" → the lookup of the region's code.

    `startswith` works on the code, not on a foreign key; Django trims the join
    because the code is the region's primary key, so no JOIN is added.
    """
    if field == "code" or field.endswith("__code"):
        return field
    if field.endswith("_id"):
        field = field[:-3]
    return f"{field}__code"


class ScopedQuerySet(TrackedQuerySet):
    """Base for region-bound models: one `visible_to(user)` says what a user may see (its
    bulk writes tell the dashboard cache, as saves do through signals)."""

    # The lookup path to the region's code, e.g. "region_id" or "meeting__region_id".
    region_field = "region_id"

    def visible_to(self, user) -> ScopedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(region_q(user.scope_codes(), self.region_field))


class RegionQuerySet(ScopedQuerySet):
    """Regions under the user's scope: their own region and everything below it."""

    region_field = "code"

    def administered_by(self, user) -> RegionQuerySet:
        """Regions of the kabupaten a DPPKB admin runs: where they may place organisations."""
        if user.is_superuser:
            return self.all()
        return self.filter(region_q(user.scope_codes(roles=[Role.DPPKB_ADMIN]), "code"))


class Region(ChoiceLabelsMixin, models.Model):
    class Level(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        DESA = "desa", _("Desa")
        KELURAHAN = "kelurahan", _("Kelurahan")

    code = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:region-detail", args=[self.code])

    @property
    def label(self) -> str:
        """The name with its level where the name alone is ambiguous ("Kecamatan Binuang")."""
        if self.level in (self.Level.KECAMATAN, self.Level.DESA, self.Level.KELURAHAN):
            return f"{self.get_level_display()} {self.name}"
        return self.name

    def ancestor_codes(self) -> list[str]:
        parts = self.code.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))]

    def is_within(self, code: str) -> bool:
        return self.code == code or self.code.startswith(f"{code}.")

    def kabupaten_code(self) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else None


class OrganisationQuerySet(RenewingQuerySet, ScopedQuerySet):
    def visible_to(self, user) -> OrganisationQuerySet:
        """Bodies under the user's regions, and those above them (the OPD a camat reports to)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        codes = user.scope_codes()
        ancestors = {a for code in codes for a in Region(code=code).ancestor_codes()}
        return self.filter(region_q(codes, "region_id") | Q(region_id__in=ancestors))

    def editable_by(self, user) -> OrganisationQuerySet:
        """Organisations a DPPKB admin may maintain: those of their own kabupaten."""
        if user.is_superuser:
            return self.all()
        codes = user.scope_codes(roles=[Role.DPPKB_ADMIN])
        return self.filter(region_q(codes, "region_id"))


class Organisation(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        OPD = "opd", _("Perangkat daerah / OPD")
        PUSKESMAS = "puskesmas", _("Puskesmas")
        KANTOR_KECAMATAN = "kantor_kecamatan", _("Kantor kecamatan")
        KANTOR_DESA = "kantor_desa", _("Kantor desa/kelurahan")
        TP_PKK = "tp_pkk", _("TP PKK")
        BKKBN = "bkkbn", _("BKKBN provincial office")
        TPPS = "tpps", _("TPPS")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name")]
        # The first organisations by name (a bounded filter's choices, the whole country's for a
        # superuser): read along this index, not 31,748 rows sorted (20-27 ms) for 25.
        indexes = [models.Index(fields=["name", "id"], name="organisation_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_pk("portal:organisation-detail", self.pk)

    @property
    def tpps_level(self) -> str:
        """A TPPS's level is its region's level (TPPS Kabupaten, TPPS Kecamatan, ...)."""
        return self.region.level if self.kind == self.Kind.TPPS else ""

    def focal_points(self) -> models.QuerySet[User]:
        return User.objects.filter(
            is_active=True, roles__role=Role.OPD_FOCAL, roles__organisation=self
        ).distinct()

    def contacts(self) -> list[User]:
        """Who receives what is sent to the organisation: its head, else its focal points."""
        people = list(self.focal_points())
        if self.head_id and self.head not in people:
            people.insert(0, self.head)
        return people

    def can_change(self, user) -> bool:
        return (
            user.has_perm("portal.change_organisation")
            and Organisation.objects.editable_by(user).filter(pk=self.pk).exists()
        )


class User(ChoiceLabelsMixin, AbstractUser):
    class Language(models.TextChoices):
        ID = "id", _("Bahasa Indonesia")
        EN = "en", _("English")

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    jabatan = models.CharField(_("position (jabatan)"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ID)
    notification_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Receive reminders by email once a day in one message instead of one by one."),
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        self.phone = normalise_phone(self.phone)

    @cached_property
    def _perm_cache(self) -> set[str]:
        """Every "app_label.codename" the user holds, own and through groups.

        Django's ModelBackend keeps a user's permissions under this attribute and fills it with
        two queries (own, then groups) on every page that checks a right or builds the menu;
        found here, it comes with the roles from the shared cache (portal.usercache), else one
        UNION. Deleting the attribute reloads it, as with the backend's own."""
        return self._load_rights()[0]

    def _load_rights(self) -> tuple[set[str], list[RoleAssignment]]:
        """Permissions, role assignments and the person's organisation together: one cache read
        serves all three, and whichever this instance does not hold yet is kept."""
        from .usercache import rights_of

        perms, roles, organisation = rights_of(self, self._query_rights)
        self.__dict__.setdefault("_perm_cache", perms)
        if not hasattr(self, "_role_cache"):
            self._role_cache = roles
        # The stamp of the entry holds organisation_id: it is this user's organisation now.
        if organisation is not None and organisation.pk == self.organisation_id:
            self._state.fields_cache.setdefault("organisation", organisation)
        return perms, roles

    def _query_rights(self) -> tuple[set[str], list[RoleAssignment], Organisation | None]:
        from django.contrib.auth.models import Permission

        if self.is_superuser:
            perms = Permission.objects.values_list("content_type__app_label", "codename")
        else:
            own = Permission.objects.filter(user=self).values_list("content_type__app_label", "codename")
            grouped = Permission.objects.filter(group__user=self).values_list(
                "content_type__app_label", "codename"
            )
            perms = own.order_by().union(grouped.order_by())
        roles = list(self.roles.select_related("organisation"))
        # Kept with the rights so that pages showing it need not read it (only when cached:
        # without the cache it would be one more query for pages that do not show it).
        organisation = self.organisation if settings.USER_CACHE_SECONDS and self.organisation_id else None
        return {f"{app_label}.{codename}" for app_label, codename in perms}, roles, organisation

    def role_set(self) -> set[str]:
        return {assignment.role for assignment in self.role_assignments()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set() & set(roles))

    def scope_codes(self, roles: Iterable[str] | None = None) -> list[str]:
        """Region codes the user's roles cover (each with everything under it)."""
        wanted = set(roles) if roles is not None else None
        codes = {
            a.scope_code
            for a in self.role_assignments()
            if a.scope_code and (wanted is None or a.role in wanted)
        }
        # Drop codes already covered by a wider one.
        return sorted(c for c in codes if not any(c.startswith(f"{o}.") for o in codes))

    def scope_regions(self) -> list[Region]:
        return list(Region.objects.filter(code__in=self.scope_codes()).select_related("parent"))

    def role_assignments(self) -> list[RoleAssignment]:
        # Cached per instance (request.user is rebuilt every request) and between requests.
        if not hasattr(self, "_role_cache"):
            self._load_rights()
        return self._role_cache

    def sync_groups_and_staff(self) -> None:
        """Groups mirror roles; staff status follows the staff roles."""
        from django.contrib.auth.models import Group

        # From the database: called while a role is being written, before the cache is renewed.
        self._role_cache = list(self.roles.select_related("organisation"))
        roles = self.role_set()
        self.groups.set(Group.objects.filter(name__in=roles))
        is_staff = self.is_superuser or bool(roles & STAFF_ROLES)
        if is_staff != self.is_staff:
            self.is_staff = is_staff
            self.save(update_fields=["is_staff"])


# Used by migration 0004 (the lead days were a field of ReminderSettings then).
def validate_day_list(value: str) -> None:
    parts = [part.strip() for part in value.split(",")]
    if not parts or not all(part.isdigit() and int(part) <= 90 for part in parts):
        raise ValidationError(_("Enter whole numbers of days between 0 and 90, separated by commas."))


def new_checkin_code() -> str:
    """A short code to read out in the room or an online session (no 0/O or 1/I to confuse)."""
    return get_random_string(6, allowed_chars="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def normalise_phone(value: str) -> str:
    """Store Indonesian numbers in international form (62...), as wa.me links need."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


class RoleAssignment(ChoiceLabelsMixin, models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        help_text=_("For OPD focal points: the organisation they speak for."),
    )
    # Its bulk writes renew the users' cached rights (portal.usercache), as saves do.
    objects = RenewingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(organisation__isnull=True),
                name="roleassignment_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="roleassignment_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or self.region
        return f"{self.get_role_display()} – {where}"

    def save(self, *args, **kwargs) -> None:
        if self.role == Role.OPD_FOCAL and self.organisation_id and not self.region_id:
            self.region_id = self.organisation.region_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        levels = ROLE_LEVELS[self.role]
        if self.role == Role.OPD_FOCAL:
            if not self.organisation_id:
                raise ValidationError({"organisation": _("An OPD focal point needs an organisation.")})
            self.region_id = self.organisation.region_id
        elif not self.region_id:
            raise ValidationError({"region": _("This role needs a region.")})
        elif self.region.level not in levels:
            raise ValidationError(
                {
                    "region": _("The role %(role)s is held for a %(levels)s, not a %(level)s.")
                    % {
                        "role": self.get_role_display(),
                        "levels": " / ".join(str(Region.Level(lv).label) for lv in levels),
                        "level": self.region.get_level_display(),
                    }
                }
            )

    @property
    def scope_code(self) -> str | None:
        return self.region_id


class NotificationQuerySet(InboxQuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def pending(self) -> NotificationQuerySet:
        return self.filter(state=Notification.State.SCHEDULED)

    def inbox(self, user) -> NotificationQuerySet:
        """What the user sees in the portal: in-app messages already delivered."""
        return self.filter(recipient=user, channel=Notification.Channel.INAPP, state=Notification.State.SENT)

    def unread(self, user) -> NotificationQuerySet:
        return self.inbox(user).filter(read_at__isnull=True)

    def of_rule(self, name: str, *stage) -> NotificationQuerySet:
        """Messages of a rule, or of one stage of it: of_rule("commitment_due", "h-7") finds
        "commitment_due:h-7:<date>" (tests and the admin filter ask this, never by raw key)."""
        prefix = ":".join([name, *map(str, stage)])
        return self.filter(Q(rule=prefix) | Q(rule__startswith=f"{prefix}:"))

    def for_source(self, source: models.Model) -> NotificationQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk))


class Notification(ChoiceLabelsMixin, models.Model):
    """The outbox: one row per intended message.

    `key` identifies the message (source object, rule/stage, recipient, channel),
    so asking for the same message twice stores it once. The database is the
    truth; the broker only carries the work of sending it.
    """

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        MISSED = "missed", _("Missed (too late)")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        INAPP = "inapp", _("In the portal")

    # Unique by a constraint, not `unique=True`: that would add a second (LIKE) index that no
    # query uses; every index here is written for each of the scan's inserts (tens of
    # thousands on a first beat) and again when the dispatcher marks a row.
    key = models.CharField(_("key"), max_length=255)
    rule = models.CharField(_("rule"), max_length=60)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # No single-column indexes on the two foreign keys: the composite indexes below start
    # with them (every index here is written again when the dispatcher marks a row).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    source_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("source type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
    )
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    send_at = models.DateTimeField(_("send at"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the message was meant to go out (send_at moves with retries and quiet
    # hours; due_at does not), and after when it is pointless (never blast late).
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    digestible = models.BooleanField(
        _("may go in the daily digest"),
        default=False,
        help_text=_("Reminders may be held for the recipient's daily digest; event messages are not."),
    )
    digest = models.ForeignKey(
        "self",
        verbose_name=_("sent in digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_items",
        db_index=False,  # a partial index below: only the few rows sent in a digest
    )
    # What the person received, rendered in their language when it was sent.
    title = models.CharField(_("title"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    share_text = models.TextField(_("share text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-send_at"]
        constraints = [models.UniqueConstraint(fields=["key"], name="notification_key_unique")]
        indexes = [
            models.Index(fields=["state", "send_at"], name="notification_due"),
            # The admin's rule filter (`of_rule`: the rule, or its stages by prefix).
            models.Index(fields=["rule"], opclasses=["varchar_pattern_ops"], name="notification_rule"),
            # Deleting a digest unlinks its items (SET NULL): most rows are in none.
            models.Index(fields=["digest"], condition=Q(digest__isnull=False), name="notification_digest"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The unread badge on every page (NotificationQuerySet.unread): only the unread
            # in-app messages are in it, so the count reads 3k index entries, not 24k rows.
            models.Index(
                fields=["recipient"],
                condition=Q(channel="inapp", state="sent", read_at__isnull=True),
                name="notification_unread_inbox",
            ),
            # The notifications page (NotificationQuerySet.inbox), newest first, and its count.
            models.Index(
                fields=["recipient", "-sent_at", "-id"],
                condition=Q(channel="inapp", state="sent"),
                name="notification_inbox",
            ),
            # The scan reads a rule's rows not sent yet ("rule LIKE 'name:%'"); the dispatcher
            # claims the due ones. Both only ever look at scheduled rows: a small partial index.
            models.Index(
                fields=["source_type", "rule"],
                condition=Q(state="scheduled"),
                opclasses=["int4_ops", "varchar_pattern_ops"],
                name="notification_pending_rule",
            ),
            models.Index(
                fields=["send_at", "id"], condition=Q(state="scheduled"), name="notification_pending_due"
            ),
            # The scan's first beat reads the pending rows due soon and those of some sources by
            # index, not by a filter over every scheduled row.
            models.Index(
                fields=["source_type", "due_at"],
                condition=Q(state="scheduled"),
                name="notification_pending_type_due",
            ),
            models.Index(
                fields=["source_type", "source_id"],
                condition=Q(state="scheduled"),
                name="notification_pending_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.recipient} ({self.get_channel_display()})"

    @property
    def rule_name(self) -> str:
        """The rule without its stage ("commitment_due:h-3:..." → "commitment_due"): names the templates."""
        return self.rule.split(":", 1)[0]

    @property
    def source(self) -> models.Model | None:
        if not self.source_type_id:
            return None
        if not hasattr(self, "_source_cache"):
            from django.contrib.contenttypes.models import ContentType

            model = ContentType.objects.get_for_id(self.source_type_id).model_class()  # cached lookup
            self._source_cache = model._default_manager.filter(pk=self.source_id).first() if model else None
        return self._source_cache

    def wa_link(self) -> str:
        """A wa.me link with the share text filled in (the person picks the chat or group)."""
        from urllib.parse import quote

        return f"https://wa.me/?text={quote(self.share_text)}" if self.share_text else ""

    def is_quiet_sensitive(self) -> bool:
        """Pushed messages respect quiet hours; the in-portal list does not disturb anyone."""
        return self.channel != self.Channel.INAPP


class ReminderSettings(models.Model):
    """Send time, quiet hours, digest and retry policy, edited by an admin (one row).

    The apps' own lead times are their `reminder_options` (portal.registry), stored as
    ReminderValue rows and edited on the same admin page.
    """

    send_time = models.TimeField(_("time of day for day-based reminders (WITA)"), default=time(8, 0))
    quiet_start = models.TimeField(_("quiet hours start (WITA)"), default=time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end (WITA)"), default=time(6, 0))
    digest_time = models.TimeField(_("daily digest time (WITA)"), default=time(7, 0))
    grace_hours = models.PositiveSmallIntegerField(
        _("grace window (hours)"),
        default=12,
        help_text=_(
            "A message that could not go out this long after it was due is marked missed, not sent late."
        ),
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts before giving up"), default=5)
    retry_base_seconds = models.PositiveIntegerField(
        _("first retry after (seconds)"), default=60, help_text=_("Doubled after every failed attempt.")
    )
    stale_after_seconds = models.PositiveIntegerField(
        _("a send is considered lost after (seconds)"),
        default=600,
        help_text=_("A message left 'sending' this long (worker killed) is tried again."),
    )
    job_lock_seconds = models.PositiveIntegerField(
        _("periodic job lock (seconds)"),
        default=300,
        help_text=_("A scan or dispatch run holds its lock at most this long, so runs never overlap."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def load(cls) -> ReminderSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ReminderValue(models.Model):
    """An admin's value for one app's reminder option; an option without a row has its default."""

    app_label = models.CharField(_("app"), max_length=100)
    name = models.CharField(_("option"), max_length=100)
    value = models.CharField(_("value"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder option value")
        verbose_name_plural = _("reminder option values")
        constraints = [
            models.UniqueConstraint(fields=["app_label", "name"], name="remindervalue_unique_option")
        ]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.name} = {self.value}"


class ReminderScan(models.Model):
    """Where the periodic scan of one reminder rule stands, so a beat reconciles only the
    sources that changed or entered the rule's time window since, plus one slice of all its
    sources (`part`: the rolling pass, `rules.scan`)."""

    rule = models.CharField(_("rule"), max_length=100, primary_key=True)
    scanned_at = models.DateTimeField(_("last scan (as of)"))
    started_at = models.DateTimeField(_("last scan started"))
    full_at = models.DateTimeField(_("last full pass (as of)"))
    fingerprint = models.CharField(_("settings fingerprint"), max_length=64, blank=True)
    part = models.PositiveIntegerField(_("next slice of the rolling pass"), default=0)

    class Meta:
        verbose_name = _("reminder scan")
        verbose_name_plural = _("reminder scans")

    def __str__(self) -> str:
        return self.rule


class JobLock(models.Model):
    """A lease on a periodic job: a run takes it with a conditional UPDATE, which is
    atomic on SQLite and PostgreSQL alike, and it expires by itself if the worker dies."""

    name = models.CharField(_("job"), max_length=60, primary_key=True)
    owner = models.CharField(_("held by"), max_length=64, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return self.name


class Heartbeat(models.Model):
    """When a periodic proof of life last arrived, e.g. the beat's tick run by a worker (/healthz)."""

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now()})

    @classmethod
    def age_seconds(cls, name: str) -> float | None:
        at = cls.objects.filter(name=name).values_list("at", flat=True).first()
        return None if at is None else (timezone.now() - at).total_seconds()


from .jobs.models import Job  # noqa: E402, F401 - a model of this app, kept in its own package
