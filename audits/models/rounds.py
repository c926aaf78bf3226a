"""An AKS round: one kabupaten, one semester, its team, its stage and the desa it covers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.links import reverse_pk
from portal.models import Region, ScopedQuerySet, region_q
from portal.roles import Role
from portal.usercache import RenewingQuerySet, fact, held


def team_parts_of(user) -> dict[int, frozenset[str]]:
    """Round pk -> the parts the person holds in its team. Asked by the menu on every page and
    by each can_* check of a round: read once per request, and kept between requests with the
    person's rights (every team write renews them: AuditTeamQuerySet, audits.apps)."""
    if not user.is_authenticated:
        return {}

    def query() -> dict[int, frozenset[str]]:
        parts: dict[int, set[str]] = {}
        for round_id, part in (
            AuditTeamMember.objects.filter(user=user).order_by().values_list("round_id", "part")
        ):
            parts.setdefault(round_id, set()).add(part)
        return {round_id: frozenset(held_parts) for round_id, held_parts in parts.items()}

    return held(user, "audit_team_parts", lambda: fact(user, "audit_team_parts", query))


def kabupaten_codes(user, roles=None) -> set[str]:
    """The kabupaten a user's roles lie in (a camat's kecamatan → its kabupaten)."""
    return {Region(code=c).kabupaten_code() or c for c in user.scope_codes(roles=roles)}


class AuditRoundQuerySet(ScopedQuerySet):
    """The team's rounds are named by id from `team_parts_of` (read by the menu on every page
    anyway), not joined: a join to the team needed DISTINCT, and the case page's one query
    spent 1 ms hashing every round and team row for it (full scale)."""

    region_field = "kabupaten_id"

    def visible_to(self, user) -> AuditRoundQuerySet:
        """Rounds of the kabupaten the user works in or above (a camat sees the round, for
        its kecamatan's aggregates), and rounds whose team the user is on."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            region_q(user.scope_codes(), self.region_field)
            | Q(kabupaten_id__in=kabupaten_codes(user))
            | Q(pk__in=team_parts_of(user).keys())
        )

    def with_identities_for(self, user) -> AuditRoundQuerySet:
        """Rounds whose cases (and identities) the user may see: the round's team and the
        kabupaten's DPPKB admins."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            region_q(user.scope_codes(roles=[Role.DPPKB_ADMIN]), self.region_field)
            | Q(pk__in=team_parts_of(user).keys())
        )


class AuditRound(ChoiceLabelsMixin, models.Model):
    class Semester(models.IntegerChoices):
        I = 1, _("Semester I")  # noqa: E741 - the users' own name
        II = 2, _("Semester II")

    class Stage(models.TextChoices):
        PEMBENTUKAN_TIM = "pembentukan_tim", _("Team formation")
        SELEKSI_KASUS = "seleksi_kasus", _("Case selection")
        KUNJUNGAN = "kunjungan", _("Home visits & worksheets (KKA)")
        KAJIAN = "kajian", _("Expert panel review")
        DISEMINASI = "diseminasi", _("Dissemination")
        TINDAK_LANJUT = "tindak_lanjut", _("Follow-up")
        EVALUASI = "evaluasi", _("Follow-up evaluation (RTL)")
        LAPORAN = "laporan", _("Semester report")

    kabupaten = models.ForeignKey(
        Region,
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        related_name="audit_rounds",
        limit_choices_to={"level__in": ("kabupaten", "kota")},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    sk_number = models.CharField(_("team decree (SK) number"), max_length=100, blank=True)
    sk_date = models.DateField(_("team decree (SK) date"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PEMBENTUKAN_TIM)
    # Stage deadlines (reminders are sent before each).
    visits_due = models.DateField(_("visits done by"), null=True, blank=True)
    review_due = models.DateField(_("expert review done by"), null=True, blank=True)
    evaluation_due = models.DateField(_("evaluation due"), null=True, blank=True)
    meetings = models.ManyToManyField(
        "meetings.Meeting",
        verbose_name=_("meetings (konferensi tim pakar, diseminasi)"),
        related_name="audit_rounds",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AuditRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit round (AKS)")
        verbose_name_plural = _("audit rounds (AKS)")
        ordering = ["-year", "-semester", "kabupaten_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kabupaten", "year", "semester"], name="auditround_unique_semester"
            )
        ]

    def __str__(self) -> str:
        return f"AKS {self.kabupaten} {self.year} {self.get_semester_display()}"

    def get_absolute_url(self) -> str:
        return reverse_pk("audits:round-detail", self.pk)

    STAGE_ORDER = list(Stage.values)

    @property
    def stage_index(self) -> int:
        return self.STAGE_ORDER.index(self.stage)

    def next_stage(self) -> str | None:
        index = self.stage_index + 1
        return self.STAGE_ORDER[index] if index < len(self.STAGE_ORDER) else None

    def previous_stage(self) -> str | None:
        return self.STAGE_ORDER[self.stage_index - 1] if self.stage_index else None

    def _has_role_here(self, user, roles) -> bool:
        return any(self.kabupaten.is_within(c) for c in user.scope_codes(roles=roles))

    def team_parts(self, user) -> frozenset[str]:
        """The parts `user` holds in this round's team (none: not on it)."""
        return team_parts_of(user).get(self.pk, frozenset())

    def is_team_member(self, user, part: str | None = None) -> bool:
        parts = self.team_parts(user)
        return part in parts if part else bool(parts)

    def can_manage(self, user) -> bool:
        """Team, stage and decree: the kabupaten's DPPKB admins."""
        return user.is_superuser or (
            user.has_perm("audits.change_auditround") and self._has_role_here(user, [Role.DPPKB_ADMIN])
        )

    def can_see_identities(self, user) -> bool:
        """Cases with names and NIK: the round's team and the kabupaten's DPPKB admins."""
        return user.is_superuser or self._has_role_here(user, [Role.DPPKB_ADMIN]) or self.is_team_member(user)

    # Membership of the team (by the decree) is itself the right to work in the round; the
    # DPPKB admin also needs the permission of the role.

    def can_fill_cases(self, user) -> bool:
        """Selection and KKA: the tim teknis (TPK among them) and the DPPKB admins."""
        return (
            user.is_superuser
            or self.is_team_member(user, AuditTeamMember.Part.TIM_TEKNIS)
            or (user.has_perm("audits.add_auditcase") and self._has_role_here(user, [Role.DPPKB_ADMIN]))
        )

    def can_review(self, user) -> bool:
        """The expert review is signed by a member of the tim pakar."""
        return user.is_superuser or self.is_team_member(user, AuditTeamMember.Part.TIM_PAKAR)

    def can_recommend(self, user) -> bool:
        return (
            user.is_superuser
            or self.is_team_member(user, AuditTeamMember.Part.TIM_PAKAR)
            or (user.has_perm("audits.add_recommendation") and self._has_role_here(user, [Role.DPPKB_ADMIN]))
        )

    def can_adopt(self, user) -> bool:
        """Adopting recommendations as commitments: the TPPS secretariat of the kabupaten."""
        return user.is_superuser or (
            user.has_perm("audits.adopt_recommendation")
            and self._has_role_here(user, [Role.DPPKB_ADMIN, Role.NOTULIS])
        )

    def can_evaluate(self, user) -> bool:
        return (
            user.is_superuser
            or self.is_team_member(user)
            or (user.has_perm("audits.evaluate_auditcase") and self._has_role_here(user, [Role.DPPKB_ADMIN]))
        )


class RoundPartQuerySet(models.QuerySet):
    """Parts of a round (team, stage history) are visible with their round."""

    def visible_to(self, user) -> RoundPartQuerySet:
        return self.filter(round__in=AuditRound.objects.visible_to(user))


class AuditTeamQuerySet(RenewingQuerySet, RoundPartQuerySet):
    """Membership is cached with the users' rights (the menu): bulk writes renew it too."""


class AuditTeamMember(ChoiceLabelsMixin, models.Model):
    """Tim AKS, set by the bupati's decree."""

    class Part(models.TextChoices):
        TIM_TEKNIS = "tim_teknis", _("Technical team (tim teknis)")
        TIM_PAKAR = "tim_pakar", _("Expert panel (tim pakar)")

    round = models.ForeignKey(
        AuditRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="audit_teams",
    )
    part = models.CharField(_("part"), max_length=12, choices=Part.choices)
    expertise = models.CharField(
        _("expertise"), max_length=100, blank=True, help_text=_("e.g. paediatrician, midwife, nutritionist")
    )

    objects = AuditTeamQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit team member")
        verbose_name_plural = _("audit team")
        ordering = ["round", "part", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="auditteam_unique_person")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_part_display()})"


class RoundDesaQuerySet(ScopedQuerySet):
    region_field = "desa_id"

    def visible_to(self, user) -> RoundDesaQuerySet:
        """Coverage rows of the desa in the user's regions (a camat: their kecamatan), and
        every row of a round the user may see whole."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            region_q(user.scope_codes(), self.region_field)
            | Q(round__in=AuditRound.objects.with_identities_for(user))
        )

    def covered(self) -> RoundDesaQuerySet:
        return self.exclude(status=RoundDesa.Status.BELUM)


class RoundDesa(ChoiceLabelsMixin, models.Model):
    """A desa/kelurahan of the round's kabupaten and how far the audit got there.

    The status follows the desa's cases (the least advanced one) and is stored so that
    coverage is one aggregate query at any scale.
    """

    class Status(models.TextChoices):
        BELUM = "belum", _("Not yet")
        KASUS_DIPILIH = "kasus_dipilih", _("Cases selected")
        DIKUNJUNGI = "dikunjungi", _("Visited")
        DIKAJI = "dikaji", _("Reviewed")
        SELESAI = "selesai", _("Done")

    round = models.ForeignKey(
        AuditRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="coverage"
    )
    desa = models.ForeignKey(
        Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    kecamatan = models.ForeignKey(
        Region, verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.BELUM)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RoundDesaQuerySet.as_manager()

    class Meta:
        verbose_name = _("desa coverage")
        verbose_name_plural = _("desa coverage")
        ordering = ["round", "desa_id"]
        constraints = [models.UniqueConstraint(fields=["round", "desa"], name="rounddesa_unique_desa")]
        indexes = [models.Index(fields=["round", "kecamatan", "status"], name="rounddesa_coverage")]

    def __str__(self) -> str:
        return f"{self.desa} – {self.get_status_display()}"


class StageChange(ChoiceLabelsMixin, models.Model):
    """The round's stage history: who moved it, when, from what to what."""

    round = models.ForeignKey(
        AuditRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=AuditRound.Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=AuditRound.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["round", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"
