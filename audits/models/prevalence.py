"""Stunting prevalence by region, year and survey: the line the AKS is measured against."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.models import Region, region_q
from portal.roles import Role

# The national target for 2024 (Perpres 72/2021), in percent.
TARGET_PERCENT = Decimal("14.0")

# Who keeps the figures of their region (and below) up to date: the kabupaten DPPKB admin for
# the kabupaten, the provincial BKKBN (training organiser) for the province. The national
# figures (region empty) only a superuser changes.
EDITOR_ROLES = (Role.DPPKB_ADMIN, Role.TRAINING_ORGANISER)


def ancestor_codes(codes: list[str]) -> set[str]:
    return {".".join(code.split(".")[:i]) for code in codes for i in range(1, code.count(".") + 1)}


class PrevalenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> PrevalenceQuerySet:
        """The national figures, those of the user's regions and below, and those of the regions
        above them (a kabupaten compares itself with its province): survey results are public."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        codes = user.scope_codes()
        return self.filter(Q(region__isnull=True) | region_q(codes) | Q(region_id__in=ancestor_codes(codes)))

    def editable_by(self, user) -> PrevalenceQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(region_q(user.scope_codes(roles=EDITOR_ROLES)))

    def for_regions(self, codes) -> PrevalenceQuerySet:
        """The figures of these regions plus the national ones, oldest first."""
        return self.filter(Q(region__isnull=True) | Q(region_id__in=list(codes))).order_by("year", "source")


class PrevalenceRecord(ChoiceLabelsMixin, models.Model):
    """One published prevalence figure. `region` empty means national (the Region tree has no
    country-level root: provinces are its roots)."""

    class Source(models.TextChoices):
        SSGI = "ssgi", _("SSGI (Studi Status Gizi Indonesia)")
        SKI = "ski", _("SKI (Survei Kesehatan Indonesia)")
        EPPGBM = "eppgbm", _("e-PPGBM (weighing records)")
        OTHER = "other", _("Other")

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prevalence_records",
        help_text=_("Empty for the national figure."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    value = models.DecimalField(
        _("stunting prevalence (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("E.g. the publication."))
    history = HistoricalRecords()

    objects = PrevalenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("prevalence record")
        verbose_name_plural = _("prevalence records")
        ordering = ["region", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "source"],
                condition=Q(region__isnull=False),
                name="prevalence_unique_region_year_source",
            ),
            models.UniqueConstraint(
                fields=["year", "source"],
                condition=Q(region__isnull=True),
                name="prevalence_unique_national_year_source",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else _("Indonesia")
        return f"{where} {self.year} ({self.get_source_display()}): {self.value}%"

    @property
    def region_name(self) -> str:
        return str(self.region.name if self.region_id else _("Indonesia"))

    @property
    def meets_target(self) -> bool:
        return self.value < TARGET_PERCENT

    def can_change(self, user) -> bool:
        return PrevalenceRecord.objects.editable_by(user).filter(pk=self.pk).exists()


# The domain brief's published figures: (region code or None for national, year, source, value).
SEED = [
    (None, 2021, PrevalenceRecord.Source.SSGI, "24.4"),
    (None, 2022, PrevalenceRecord.Source.SSGI, "21.6"),
    (None, 2023, PrevalenceRecord.Source.SKI, "21.5"),
    ("63", 2021, PrevalenceRecord.Source.SSGI, "30.0"),
    ("63", 2022, PrevalenceRecord.Source.SSGI, "24.6"),
    ("63", 2023, PrevalenceRecord.Source.SKI, "24.7"),
    ("63.05", 2021, PrevalenceRecord.Source.SSGI, "33.5"),
    ("63.05", 2022, PrevalenceRecord.Source.SSGI, "14.5"),
    ("63.01", 2023, PrevalenceRecord.Source.SKI, "26.6"),
]


def seed_prevalence(model=PrevalenceRecord, region_model=Region) -> int:
    """Store the published figures whose region exists (idempotent; an edited value is kept).
    Takes the models so a data migration can pass its historical ones."""
    known = set(
        region_model.objects.filter(code__in=[c for c, *_ in SEED if c]).values_list("code", flat=True)
    )
    created = 0
    for code, year, source, value in SEED:
        if code is not None and code not in known:
            continue
        _obj, made = model.objects.get_or_create(
            region_id=code, year=year, source=str(source), defaults={"value": Decimal(value)}
        )
        created += made
    return created
