"""Recommendations of the expert panel and their adoption as rakor commitments (RTL)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meetings.models import Commitment, user_organisations
from portal.choice_labels import ChoiceLabelsMixin
from portal.links import reverse_pk
from portal.models import Organisation, ScopedQuerySet, region_q
from portal.roles import Role

from .cases import AuditCase
from .rounds import AuditRound


class RecommendationQuerySet(ScopedQuerySet):
    region_field = "round__kabupaten_id"

    def visible_to(self, user) -> RecommendationQuerySet:
        """The round's team and the kabupaten's secretariat see all; an OPD (its focal points,
        its head, a kepala puskesmas for the puskesmas of their kecamatan) those it owns."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        secretariat = user.scope_codes(roles=[Role.DPPKB_ADMIN, Role.NOTULIS])
        puskesmas = user.scope_codes(roles=[Role.KEPALA_PUSKESMAS])
        return self.filter(
            region_q(secretariat, self.region_field)
            | Q(round__team__user=user)
            | Q(owner__in=user_organisations(user))
            | (Q(owner__kind=Organisation.Kind.PUSKESMAS) & region_q(puskesmas, "owner__region_id"))
        ).distinct()


class Recommendation(ChoiceLabelsMixin, models.Model):
    class InterventionType(models.TextChoices):
        SPESIFIK = "spesifik", _("Specific intervention (spesifik)")
        SENSITIF = "sensitif", _("Sensitive intervention (sensitif)")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    round = models.ForeignKey(
        AuditRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="recommendations"
    )
    case = models.ForeignKey(
        AuditCase,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recommendations",
        help_text=_("Empty for a recommendation on the system (the whole round)."),
    )
    text = models.TextField(_("recommendation"))
    intervention_type = models.CharField(
        _("intervention type"), max_length=10, choices=InterventionType.choices
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="audit_recommendations",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    commitments = models.ManyToManyField(
        Commitment,
        verbose_name=_("commitments (RTL)"),
        through="RecommendationCommitment",
        related_name="audit_recommendations",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["round", "priority", "pk"]
        permissions = [("adopt_recommendation", _("Can adopt recommendations as commitments"))]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse_pk("audits:recommendation-detail", self.pk)

    @property
    def source_label(self) -> str:
        return str(self.case) if self.case_id else str(_("Whole round (system)"))

    def is_done(self) -> bool:
        """Carried out: one of its commitments is done or verified (read from the commitment)."""
        return any(
            c.status in (Commitment.Status.DONE, Commitment.Status.VERIFIED) for c in self.commitments.all()
        )


class RecommendationCommitmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecommendationCommitmentQuerySet:
        return self.filter(recommendation__in=Recommendation.objects.visible_to(user))


class RecommendationCommitment(models.Model):
    """A recommendation adopted as a commitment of a meeting (diseminasi or rakor)."""

    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("recommendation"), on_delete=models.CASCADE, related_name="adoptions"
    )
    commitment = models.OneToOneField(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="audit_adoption"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adopted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopted at"), auto_now_add=True)

    objects = RecommendationCommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("adopted recommendation")
        verbose_name_plural = _("adopted recommendations")
        ordering = ["recommendation", "adopted_at"]

    def __str__(self) -> str:
        return f"{self.recommendation} → {self.commitment}"
