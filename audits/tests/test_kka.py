"""KKA items: validated per target group and per form version; old cases keep their version."""

import pytest
from django.core.exceptions import ValidationError

from audits import kka, services
from audits.kka import FormVersion, Item, Source, TargetGroup
from audits.models import AuditCase

from .factories import FULL_KKA, make_case

pytestmark = pytest.mark.django_db


def errors_of(group, data, *, visited=True, version="2024.1"):
    try:
        kka.get_form(group, version).clean(data, visited=visited)
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    ("group", "item", "value"),
    [
        (TargetGroup.CATIN, "lila_cm", "9.9"),
        (TargetGroup.CATIN, "lila_cm", "50.1"),
        (TargetGroup.IBU_HAMIL, "hb_g_dl", "2.5"),
        (TargetGroup.IBU_HAMIL, "hb_g_dl", "21"),
        (TargetGroup.IBU_NIFAS, "berat_lahir_g", "250"),
        (TargetGroup.BADUTA, "berat_lahir_g", "6500"),
        (TargetGroup.BADUTA, "zscore_tb_u", "-6.5"),
        (TargetGroup.BALITA, "zscore_tb_u", "7"),
        (TargetGroup.BALITA, "tinggi_cm", "abc"),
        (TargetGroup.BADUTA, "berat_lahir_g", "2500.5"),
        (TargetGroup.BADUTA, "usia_bulan", "30"),
    ],
)
def test_kka_items_outside_their_bounds_or_type_are_refused(group, item, value):
    data = {**FULL_KKA[group], item: value}
    assert item in errors_of(group, data)


def test_kka_accepts_plausible_values_with_a_decimal_comma():
    cleaned = kka.get_form(TargetGroup.CATIN, "2024.1").clean(
        {**FULL_KKA[TargetGroup.CATIN], "lila_cm": "23,4"}, visited=True
    )
    assert cleaned["lila_cm"] == 23.4


def test_items_from_the_systems_may_stay_pending_but_family_items_are_required_after_the_visit():
    data = {
        k: v for k, v in FULL_KKA[TargetGroup.BADUTA].items() if k not in ("zscore_tb_u", "asi_eksklusif")
    }
    errors = errors_of(TargetGroup.BADUTA, data)
    assert "asi_eksklusif" in errors  # asked of the family
    assert "zscore_tb_u" not in errors  # e-PPGBM: may be pending
    assert errors_of(TargetGroup.BADUTA, data, visited=False) == {}
    pending = kka.get_form(TargetGroup.BADUTA, "2024.1").pending(data)
    assert [i.code for i in pending] == ["zscore_tb_u", "asi_eksklusif"]


def test_items_not_on_the_form_are_refused():
    errors = errors_of(TargetGroup.CATIN, {**FULL_KKA[TargetGroup.CATIN], "zscore_tb_u": -3})
    assert "zscore_tb_u" in errors["__all__"][0]


def test_bmi_is_computed_and_findings_flag_kek_and_anaemia():
    form = kka.get_form(TargetGroup.CATIN, "2024.1")
    data = form.clean(FULL_KKA[TargetGroup.CATIN], visited=True)
    assert form.computed(data) == {"imt": 18.4}
    flags = [str(f) for f in form.flags(data)]
    assert any("KEK" in f for f in flags)
    assert any("Hb" in f for f in flags)


def test_every_item_names_its_source():
    for group, version in kka.versions():
        for item in kka.get_form(group, version).items:
            assert item.source in Source.values


@pytest.fixture
def add_catin_version():
    """Registers a test-only version 2099.1 of the catin form (LiLA dropped, waist added) as current."""

    def add():
        form = FormVersion(
            TargetGroup.CATIN,
            "2099.1",
            (
                Item("berat_kg", "Berat", "decimal", Source.KELUARGA, "kg"),
                Item("lingkar_pinggang_cm", "Lingkar pinggang", "decimal", Source.KELUARGA, "cm"),
            ),
        )
        return kka.register(form)

    yield add
    kka.unregister(TargetGroup.CATIN, "2099.1", previous="2024.1")


def test_a_new_form_version_does_not_break_cases_filled_on_the_old_one(
    audit_round, teknis, add_catin_version
):
    old = make_case(audit_round, teknis, group=TargetGroup.CATIN, number=1)
    assert old.form_version == "2024.1"
    add_catin_version()

    old.refresh_from_db()
    old.full_clean()  # still valid on its own version
    assert old.form.version == "2024.1"
    assert old.pending_items() == []
    services.save_case(case=old, acting_user=teknis)  # editing keeps the version
    old.refresh_from_db()
    assert old.form_version == "2024.1"
    old.kka["lila_cm"] = 5
    with pytest.raises(ValidationError):
        old.full_clean()

    new = AuditCase(
        round=audit_round,
        number=2,
        desa_id=old.desa_id,
        puskesmas=old.puskesmas,
        target_group=TargetGroup.CATIN,
        visit_date=old.visit_date,
        kka={"berat_kg": "50", "lingkar_pinggang_cm": "80"},
    )
    services.save_case(case=new, acting_user=teknis, nik="6305045205980002", name="Nurul")
    new.refresh_from_db()
    assert (new.form_version, new.kka) == ("2099.1", {"berat_kg": 50.0, "lingkar_pinggang_cm": 80.0})


def test_the_migration_seeds_the_cause_catalogue_of_the_domain_brief(django_db_setup, django_db_blocker):
    from audits.catalogue import RISK_FACTORS
    from audits.migrations import __path__ as migrations_path

    seeded = open(f"{migrations_path[0]}/0002_seed_risk_factors_append_only_log.py").read()
    for name, kind, _groups in RISK_FACTORS:
        assert f'("{name}", "{kind}"' in seeded
