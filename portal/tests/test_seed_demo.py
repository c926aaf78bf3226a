import pytest
from django.core.management import CommandError, call_command

from portal.models import Organisation, Region, RoleAssignment, User

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "dppkb": ("dppkb_admin", "63.05"),
    "notulis": ("notulis", "63.05"),
    "camat.tapinutara": ("camat", "63.05.04"),
    "camat.binuang": ("camat", "63.05.01"),
    "kapus.tapinutara": ("kepala_puskesmas", "63.05.04"),
    "pkk.tapinutara": ("ketua_pkk", "63.05.04"),
    "dinkes": ("opd_focal", "63.05"),
    "bkkbn": ("training_organiser", "63"),
    # The AKS tim pakar (case-audit demo): reminders of the review deadline go to each of them.
    "pakar": ("tim_pakar", "63.05"),
    "pakar.obgyn": ("tim_pakar", "63.05"),
    "pakar.gizi": ("tim_pakar", "63.05"),
}


def seed(**kwargs) -> None:
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"), **kwargs)


def counts() -> tuple:
    return (
        Region.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_seed_demo_creates_the_demo_accounts_with_their_roles(settings, tmp_path):
    settings.WILAYAH_DIR = tmp_path  # no official list here: the built-in geography is used
    seed()

    for username, (role, region) in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.check_password("tapin2024")
        assert user.roles.filter(role=role, region_id=region).exists(), username
        assert user.email == f"{username}@tapin.example", username  # reminders reach every account
    assert User.objects.get(username="dppkb").is_staff
    assert User.objects.get(username="notulis").is_staff
    assert Region.objects.filter(parent_id="63.05", level="kecamatan").count() == 12
    assert Organisation.objects.filter(
        name="BKKBN Perwakilan Provinsi Kalimantan Selatan", region_id="63"
    ).exists()


def test_seed_demo_is_idempotent(settings, tmp_path):
    settings.WILAYAH_DIR = tmp_path
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_seed_demo_uses_the_official_list_when_present(settings):
    from pathlib import Path

    if not (Path(settings.WILAYAH_DIR) / "regions-63-kalsel.csv").is_file():
        pytest.skip(f"the official region list is not at {settings.WILAYAH_DIR}")
    seed()
    assert Region.objects.filter(level__in=["desa", "kelurahan"], code__startswith="63.").count() == 2016
