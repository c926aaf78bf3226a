"""Audited cases: identity (encrypted), KKA items (versioned), causes and the expert review."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.links import reverse_pk
from portal.models import Organisation, Region, ScopedQuerySet

from .. import crypto, kka
from ..kka import TargetGroup
from .rounds import AuditRound, RoundDesa


class RiskFactor(ChoiceLabelsMixin, models.Model):
    """A cause in the catalogue (penyebab langsung / tidak langsung), editable in admin."""

    class Kind(models.TextChoices):
        LANGSUNG = "langsung", _("Direct cause (penyebab langsung)")
        TIDAK_LANGSUNG = "tidak_langsung", _("Indirect cause (penyebab tidak langsung)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, help_text=_("Empty: applies to every group.")
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        from ..catalogue import risk_factor_label

        return risk_factor_label(self.name)

    def applies_to(self, group: str) -> bool:
        return not self.target_groups or group in self.target_groups


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("No schooling")
    SD = "sd", _("Primary (SD)")
    SMP = "smp", _("Junior secondary (SMP)")
    SMA = "sma", _("Senior secondary (SMA/SMK)")
    TINGGI = "tinggi", _("Diploma or university")
    NA = "belum", _("Not of school age")


class RiskStatus(models.TextChoices):
    TINGGI = "tinggi", _("High")
    SEDANG = "sedang", _("Medium")
    RENDAH = "rendah", _("Low")


class AuditCaseQuerySet(ScopedQuerySet):
    region_field = "desa_id"

    def visible_to(self, user) -> AuditCaseQuerySet:
        """Cases only for the round's team and the kabupaten's DPPKB admins (a camat sees
        aggregates, through RoundDesa, never the cases)."""
        return self.filter(round__in=AuditRound.objects.with_identities_for(user))


class AuditCase(ChoiceLabelsMixin, models.Model):
    round = models.ForeignKey(
        AuditRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.PositiveIntegerField(_("case number"))
    desa = models.ForeignKey(
        Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    puskesmas = models.ForeignKey(
        Organisation, verbose_name=_("puskesmas"), on_delete=models.PROTECT, related_name="audit_cases"
    )
    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Identity block. NIK and name are encrypted (audits.crypto); the hash finds the same
    # person across rounds; the masked NIK is what lists show.
    nik_encrypted = models.TextField(_("NIK (encrypted)"), editable=False)
    nik_hash = models.CharField(_("NIK hash"), max_length=64, db_index=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, editable=False)
    name_encrypted = models.TextField(_("name (encrypted)"), editable=False)
    age = models.PositiveSmallIntegerField(_("age (years)"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    education = models.CharField(_("education"), max_length=15, choices=Education.choices, blank=True)
    # KKA items of the form version the case was filled on.
    form_version = models.CharField(_("KKA form version"), max_length=20)
    kka = models.JSONField(_("KKA items"), default=dict, blank=True)
    risk_factors = models.ManyToManyField(
        RiskFactor, verbose_name=_("causes"), blank=True, related_name="cases"
    )
    # Expert review (kajian tim pakar): the audit date is the date the expert signs.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by (tim pakar)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audit_date = models.DateField(_("audit date (signed)"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion on the causes"), blank=True)
    risk_before = models.CharField(
        _("risk status before follow-up"), max_length=10, choices=RiskStatus.choices, blank=True
    )
    # Evaluasi RTL.
    risk_after = models.CharField(
        _("risk status after follow-up"), max_length=10, choices=RiskStatus.choices, blank=True
    )
    follow_up_carried_out = models.BooleanField(_("recommendations carried out"), null=True, blank=True)
    evaluated_at = models.DateField(_("evaluated on"), null=True, blank=True)
    evaluation_note = models.TextField(_("evaluation note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AuditCaseQuerySet.as_manager()
    # Ciphertexts stay out of the history: a key rotation re-encrypts one place only.
    history = HistoricalRecords(excluded_fields=["nik_encrypted", "name_encrypted"])

    class Meta:
        verbose_name = _("audit case")
        verbose_name_plural = _("audit cases")
        ordering = ["round", "number"]
        permissions = [
            ("review_auditcase", _("Can write the expert review of a case")),
            ("evaluate_auditcase", _("Can record the evaluation of a case")),
            ("view_identity_auditcase", _("Can see the NIK and name of a case (own rounds)")),
        ]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="auditcase_unique_number")]

    def __str__(self) -> str:
        return _("Case %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse_pk("audits:case-detail", self.pk)

    # --- identity ---------------------------------------------------------------------

    def set_identity(self, *, nik: str, name: str) -> None:
        from ..nik import validate_nik

        try:
            nik = validate_nik(nik, self.round.kabupaten_id)
        except ValidationError as error:
            raise ValidationError({"nik": error.messages}) from None
        self.nik_encrypted = crypto.encrypt(nik)
        self.nik_hash = crypto.nik_hash(nik)
        self.nik_masked = crypto.mask_nik(nik)
        self.name_encrypted = crypto.encrypt(name.strip())

    @property
    def nik(self) -> str:
        """The full NIK. Only views that logged the access (NikAccessLog) may show it."""
        return crypto.decrypt(self.nik_encrypted)

    @property
    def name(self) -> str:
        return crypto.decrypt(self.name_encrypted)

    @property
    def name_masked(self) -> str:
        return crypto.mask_name(self.name)

    # --- KKA --------------------------------------------------------------------------

    @property
    def form(self) -> kka.FormVersion:
        return kka.get_form(self.target_group, self.form_version)

    def pending_items(self) -> list[kka.Item]:
        return self.form.pending(self.kka)

    def findings(self) -> list:
        return self.form.flags(self.kka)

    def computed(self) -> dict:
        return self.form.computed(self.kka)

    def clean(self) -> None:
        errors = {}
        if self.round_id and self.desa_id and not self.desa.is_within(self.round.kabupaten_id):
            errors["desa"] = _("The desa must lie in the round's kabupaten.")
        if self.round_id and self.puskesmas_id:
            if self.puskesmas.kind != Organisation.Kind.PUSKESMAS:
                errors["puskesmas"] = _("Choose a puskesmas.")
            elif not self.puskesmas.region.is_within(self.round.kabupaten_id):
                errors["puskesmas"] = _("The puskesmas must lie in the round's kabupaten.")
        if self.target_group:
            try:
                self.kka = kka.get_form(self.target_group, self.form_version).clean(
                    self.kka or {}, visited=bool(self.visit_date)
                )
            except ValidationError as error:
                errors["kka"] = error.messages
        if self.reviewed_by_id and not self.audit_date:
            errors["audit_date"] = _("The audit date is the date the expert signs: required.")
        if errors:
            raise ValidationError(errors)

    # --- progress ---------------------------------------------------------------------

    @property
    def is_reviewed(self) -> bool:
        return bool(self.reviewed_by_id and self.audit_date and self.risk_before)

    @property
    def is_evaluated(self) -> bool:
        return bool(self.risk_after)

    def coverage_status(self) -> str:
        if self.is_evaluated:
            return RoundDesa.Status.SELESAI
        if self.is_reviewed:
            return RoundDesa.Status.DIKAJI
        if self.visit_date:
            return RoundDesa.Status.DIKUNJUNGI
        return RoundDesa.Status.KASUS_DIPILIH


class NikAccessLogQuerySet(models.QuerySet):
    def visible_to(self, user) -> NikAccessLogQuerySet:
        """The kabupaten's DPPKB admins read the log of their rounds."""
        from portal.models import region_q
        from portal.roles import Role

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(region_q(user.scope_codes(roles=[Role.DPPKB_ADMIN]), "case__round__kabupaten_id"))

    def update(self, **kwargs):
        raise PermissionError("The NIK access log is append-only.")

    def delete(self):
        raise PermissionError("The NIK access log is append-only.")


class NikAccessLog(models.Model):
    """Each time a full NIK and name were shown: who, when, which case, from where. Append-only."""

    case = models.ForeignKey(
        AuditCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="access_log"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("from (IP address)"), null=True, blank=True)
    purpose = models.CharField(_("page"), max_length=200, blank=True)

    objects = NikAccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("NIK access log entry")
        verbose_name_plural = _("NIK access log")
        ordering = ["-at", "-pk"]
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"{self.user} – {self.case} – {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The NIK access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The NIK access log is append-only.")
