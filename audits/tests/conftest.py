"""Audit personas on top of the core demo: the expert (`pakar`, tim pakar of Tapin and member of
the round's tim pakar) and the tim teknis (`kapus.tapinutara`); a Tapin round with both."""

import pytest

from portal.models import RoleAssignment, User
from portal.roles import Role

from .factories import make_round


@pytest.fixture(autouse=True)
def _audit_keys(settings):
    settings.AUDITS_FERNET_KEYS = "dGVzdC1hdWRpdHMtZmVybmV0LWtleS1ub3QtcHJvZCE="
    settings.AUDITS_NIK_HMAC_KEY = "test-nik-hmac-not-for-production"


@pytest.fixture
def pakar(demo):
    user = User.objects.create_user("pakar", password="tapin2024", full_name="dr. Lailatul Fitri, Sp.A")
    RoleAssignment.objects.create(user=user, role=Role.TIM_PAKAR, region_id="63.05")
    return User.objects.get(pk=user.pk)


@pytest.fixture
def teknis(kapus):
    """The tim teknis member who fills the KKA (the kepala puskesmas of Tapin Utara)."""
    return kapus


@pytest.fixture
def audit_round(dppkb, pakar, teknis):
    return make_round(dppkb, pakar=pakar, teknis=teknis)
