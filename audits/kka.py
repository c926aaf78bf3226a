"""KKA (Kertas Kerja Audit) form versions: the group-specific items of a case, versioned.

A case stores its items as JSON together with the version it was filled on, and is always
validated against that version: adding a version (a new national form) never breaks old
cases. Each item names its source as on the paper form; items from the national systems
(e-PPGBM, Elsimil, PK21/SIGA) may stay pending until checked with their data stewards,
items asked of the family are required once the visit took place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    CATIN = "catin", _("Bride or groom to be (catin)")
    IBU_HAMIL = "ibu_hamil", _("Pregnant woman")
    IBU_NIFAS = "ibu_nifas", _("Post-partum or breastfeeding mother")
    BADUTA = "baduta", _("Baduta (under 2)")
    BALITA = "balita", _("Balita (under 5)")


class Source(models.TextChoices):
    KELUARGA = "keluarga", _("Family (keluarga)")
    EPPGBM = "eppgbm", _("e-PPGBM")
    ELSIMIL = "elsimil", _("Elsimil")
    PK21 = "pk21", _("PK21 / SIGA")


@dataclass(frozen=True)
class Item:
    code: str
    label: Any
    kind: str  # "decimal", "integer", "boolean" or "choice"
    source: str
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[tuple[str, Any], ...] = ()
    help_text: Any = ""

    @property
    def may_be_pending(self) -> bool:
        return self.source != Source.KELUARGA

    def clean(self, raw: Any) -> Any:
        """The stored (JSON) value, or ValidationError."""
        if self.kind == "boolean":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "1", "ya", "yes"):
                return True
            if str(raw).lower() in ("false", "0", "tidak", "no"):
                return False
            raise ValidationError(_("Answer yes or no."))
        if self.kind == "choice":
            if raw in dict(self.choices):
                return raw
            raise ValidationError(_("Choose one of the listed answers."))
        try:
            number = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        if self.kind == "integer" and number != number.to_integral_value():
            raise ValidationError(_("Enter a whole number."))
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise ValidationError(
                _("Enter a value between %(min)s and %(max)s %(unit)s.")
                % {"min": self.minimum, "max": self.maximum, "unit": self.unit}
            )
        return int(number) if self.kind == "integer" else float(number)


@dataclass(frozen=True)
class FormVersion:
    group: str
    version: str
    items: tuple[Item, ...]
    findings: tuple[tuple[str, Any, Any], ...] = field(default=())  # (code, label, predicate)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    def clean(self, data: dict, *, visited: bool) -> dict:
        """Validated items (unknown keys refused); family items required once visited."""
        known = {item.code for item in self.items}
        errors: dict[str, list] = {}
        unknown = sorted(set(data) - known)
        if unknown:
            errors["__all__"] = [
                _("Items not on form %(version)s: %(items)s.")
                % {"version": self.version, "items": ", ".join(unknown)}
            ]
        cleaned = {}
        for item in self.items:
            raw = data.get(item.code)
            if raw in (None, ""):
                if visited and not item.may_be_pending:
                    errors[item.code] = [_("Asked of the family at the visit: required.")]
                continue
            try:
                cleaned[item.code] = item.clean(raw)
            except ValidationError as error:
                errors[item.code] = error.messages
        if errors:
            raise ValidationError(errors)
        return cleaned

    def pending(self, data: dict) -> list[Item]:
        """Items still empty (to be checked with the systems' data stewards)."""
        return [item for item in self.items if data.get(item.code) in (None, "")]

    def computed(self, data: dict) -> dict:
        """Values derived from the items (BMI), never typed in."""
        weight, height = data.get("berat_kg"), data.get("tinggi_cm")
        if weight and height:
            return {"imt": round(weight / (height / 100) ** 2, 1)}
        return {}

    def flags(self, data: dict) -> list:
        """Findings the items show (KEK, anaemia, low birth weight, stunted), as labels."""
        values = {**data, **self.computed(data)}
        return [label for code, label, test in self.findings if _safe(test, values)]


def _safe(test, values: dict) -> bool:
    try:
        return bool(test(values))
    except (KeyError, TypeError):
        return False


_REGISTRY: dict[tuple[str, str], FormVersion] = {}
CURRENT: dict[str, str] = {}


def register(form: FormVersion, *, current: bool = True) -> FormVersion:
    _REGISTRY[(form.group, form.version)] = form
    if current:
        CURRENT[form.group] = form.version
    return form


def unregister(group: str, version: str, *, previous: str) -> None:
    """Tests only: drop a version added by a test and restore the current one."""
    _REGISTRY.pop((group, version), None)
    CURRENT[group] = previous


def get_form(group: str, version: str) -> FormVersion:
    try:
        return _REGISTRY[(group, version)]
    except KeyError:
        raise ValidationError(
            _("There is no KKA form %(version)s for this target group.") % {"version": version}
        ) from None


def current_form(group: str) -> FormVersion:
    return _REGISTRY[(group, CURRENT[group])]


def versions() -> list[tuple[str, str]]:
    return sorted(_REGISTRY)


# --- version 2024.1 -----------------------------------------------------------------------

D = Decimal


def _weight(source=Source.ELSIMIL, minimum="25", maximum="200"):
    return Item("berat_kg", _("Weight"), "decimal", source, "kg", D(minimum), D(maximum))


def _height(source=Source.ELSIMIL, minimum="120", maximum="210"):
    return Item("tinggi_cm", _("Height"), "decimal", source, "cm", D(minimum), D(maximum))


def _lila(source=Source.ELSIMIL):
    return Item(
        "lila_cm",
        _("Upper-arm circumference (LiLA)"),
        "decimal",
        source,
        "cm",
        D("10"),
        D("50"),
        help_text=_("Below 23.5 cm: chronic energy deficiency (KEK)."),
    )


def _hb(source=Source.ELSIMIL):
    return Item("hb_g_dl", _("Haemoglobin"), "decimal", source, "g/dL", D("3"), D("20"))


def _birth_weight(source=Source.EPPGBM):
    return Item("berat_lahir_g", _("Birth weight"), "integer", source, "g", D("300"), D("6000"))


def _haz():
    return Item(
        "zscore_tb_u",
        _("Height-for-age z-score (TB/U)"),
        "decimal",
        Source.EPPGBM,
        "SD",
        D("-6"),
        D("6"),
        help_text=_("Below -2 SD: stunted."),
    )


def _bool(code, label, source=Source.KELUARGA):
    return Item(code, label, "boolean", source)


SEX = (("L", _("Boy")), ("P", _("Girl")))
BIRTH_PLACE = (("faskes", _("Health facility")), ("rumah", _("At home")), ("lainnya", _("Elsewhere")))

KEK = ("kek", _("KEK (LiLA < 23.5 cm)"), lambda v: v["lila_cm"] < 23.5)
ANAEMIA = ("anemia", _("Anaemia (Hb < 11 g/dL)"), lambda v: v["hb_g_dl"] < 11)
THIN = ("imt_kurang", _("Underweight (BMI < 18.5)"), lambda v: v["imt"] < 18.5)
LBW = ("bblr", _("Low birth weight (< 2,500 g)"), lambda v: v["berat_lahir_g"] < 2500)
STUNTED = ("stunting", _("Stunted (TB/U < -2 SD)"), lambda v: v["zscore_tb_u"] < -2)

for _form in (
    FormVersion(
        TargetGroup.CATIN,
        "2024.1",
        (
            _weight(),
            _height(),
            _lila(),
            _hb(),
            _bool("merokok", _("Smokes or is exposed to smoke")),
            _bool("cek_kesehatan_pranikah", _("Pre-marital health check done"), Source.ELSIMIL),
        ),
        (KEK, ANAEMIA, THIN),
    ),
    FormVersion(
        TargetGroup.IBU_HAMIL,
        "2024.1",
        (
            Item(
                "usia_kehamilan_minggu",
                _("Gestational age"),
                "integer",
                Source.KELUARGA,
                _("weeks"),
                D("1"),
                D("45"),
            ),
            _weight(Source.ELSIMIL, "30", "200"),
            _height(),
            _lila(),
            _hb(),
            Item(
                "kunjungan_anc",
                _("Antenatal visits (ANC) so far"),
                "integer",
                Source.KELUARGA,
                "",
                D("0"),
                D("20"),
            ),
            _bool("minum_ttd", _("Takes iron tablets (TTD)")),
            Item("jumlah_anak", _("Children already born"), "integer", Source.PK21, "", D("0"), D("20")),
        ),
        (KEK, ANAEMIA),
    ),
    FormVersion(
        TargetGroup.IBU_NIFAS,
        "2024.1",
        (
            Item("tempat_persalinan", _("Place of birth"), "choice", Source.KELUARGA, choices=BIRTH_PLACE),
            _birth_weight(),
            _bool("menyusui", _("Breastfeeding")),
            _bool("kb_pasca_persalinan", _("Post-partum contraception"), Source.ELSIMIL),
            _lila(Source.KELUARGA),
            _hb(Source.ELSIMIL),
        ),
        (KEK, ANAEMIA, LBW),
    ),
    FormVersion(
        TargetGroup.BADUTA,
        "2024.1",
        (
            Item("usia_bulan", _("Age"), "integer", Source.KELUARGA, _("months"), D("0"), D("23")),
            Item("jenis_kelamin", _("Sex"), "choice", Source.KELUARGA, choices=SEX),
            _birth_weight(),
            Item("berat_kg", _("Weight"), "decimal", Source.EPPGBM, "kg", D("1"), D("20")),
            Item("tinggi_cm", _("Length / height"), "decimal", Source.EPPGBM, "cm", D("35"), D("100")),
            _haz(),
            _bool("asi_eksklusif", _("Exclusive breastfeeding (0-6 months)")),
            _bool("imunisasi_lengkap", _("Immunisation complete for age"), Source.EPPGBM),
            _bool("infeksi_berulang", _("Recurring infections (diarrhoea, ARI)")),
            _bool("penyakit_penyerta", _("Underlying disease")),
        ),
        (LBW, STUNTED),
    ),
    FormVersion(
        TargetGroup.BALITA,
        "2024.1",
        (
            Item("usia_bulan", _("Age"), "integer", Source.KELUARGA, _("months"), D("24"), D("59")),
            Item("jenis_kelamin", _("Sex"), "choice", Source.KELUARGA, choices=SEX),
            Item("berat_kg", _("Weight"), "decimal", Source.EPPGBM, "kg", D("5"), D("35")),
            Item("tinggi_cm", _("Height"), "decimal", Source.EPPGBM, "cm", D("60"), D("130")),
            _haz(),
            _bool("imunisasi_lengkap", _("Immunisation complete for age"), Source.EPPGBM),
            _bool("infeksi_berulang", _("Recurring infections (diarrhoea, ARI)")),
            _bool("air_bersih", _("Safe drinking water"), Source.PK21),
            _bool("jamban_sehat", _("Improved latrine"), Source.PK21),
        ),
        (STUNTED,),
    ),
):
    register(_form)
