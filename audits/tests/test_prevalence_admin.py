"""Prevalence figures in Django admin: listed as the portal shows them, changed only within the
editor's own region; the national figures only by a superuser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from audits.models import PrevalenceRecord
from audits.models.prevalence import seed_prevalence

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(demo):
    seed_prevalence()
    return {(r.region_id, r.year): r for r in PrevalenceRecord.objects.all()}


def change_url(record) -> str:
    return reverse("admin:audits_prevalencerecord_change", args=[record.pk])


def form_data(record, **changes) -> dict:
    data = {
        "region": record.region_id or "",
        "year": record.year,
        "source": record.source,
        "value": record.value,
        "note": "",
    }
    return {**data, **changes}


def test_the_kabupaten_admin_lists_national_provincial_and_own_figures(client, dppkb, figures):
    client.force_login(dppkb)
    response = client.get(reverse("admin:audits_prevalencerecord_changelist"))
    assert response.status_code == 200
    listed = {(r.region_id, r.year) for r in response.context["cl"].queryset}
    assert listed == {
        (None, 2021),
        (None, 2022),
        (None, 2023),
        ("63", 2021),
        ("63", 2022),
        ("63", 2023),
        ("63.05", 2021),
        ("63.05", 2022),
    }


def test_the_kabupaten_admin_corrects_their_own_figure(client, dppkb, figures):
    client.force_login(dppkb)
    tapin = figures[("63.05", 2022)]
    response = client.post(change_url(tapin), form_data(tapin, value="14.6"))
    assert response.status_code == 302
    tapin.refresh_from_db()
    assert tapin.value == Decimal("14.6")
    assert tapin.history.count() == 2


def test_the_kabupaten_admin_cannot_change_national_or_provincial_figures(client, dppkb, figures):
    client.force_login(dppkb)
    for key in ((None, 2021), ("63", 2021)):
        record = figures[key]
        response = client.post(change_url(record), form_data(record, value="1.0"))
        assert response.status_code == 403
        record.refresh_from_db()
        assert record.value != Decimal("1.0")


def test_another_kabupatens_figures_are_out_of_reach(client, dppkb, figures):
    client.force_login(dppkb)
    tanah_laut = figures[("63.01", 2023)]
    assert client.post(change_url(tanah_laut), form_data(tanah_laut, value="1.0")).status_code in (302, 404)
    tanah_laut.refresh_from_db()
    assert tanah_laut.value == Decimal("26.6")
    history = reverse("admin:audits_prevalencerecord_history", args=[tanah_laut.pk])
    assert client.get(history).status_code == 404


def test_a_new_figure_only_for_the_own_region(client, dppkb, figures):
    client.force_login(dppkb)
    add = reverse("admin:audits_prevalencerecord_add")
    data = {"region": "63.05", "year": 2023, "source": "eppgbm", "value": "12.1", "note": "e-PPGBM Agustus"}
    assert client.post(add, data).status_code == 302
    assert PrevalenceRecord.objects.get(region_id="63.05", year=2023).value == Decimal("12.1")
    before = PrevalenceRecord.objects.count()
    for region in ("63.01", ""):
        response = client.post(add, {**data, "region": region, "year": 2024})
        assert response.status_code == 200 and response.context["adminform"].form.errors
    assert PrevalenceRecord.objects.count() == before


def test_the_same_figure_cannot_be_recorded_twice(client, dppkb, figures):
    client.force_login(dppkb)
    response = client.post(
        reverse("admin:audits_prevalencerecord_add"),
        {"region": "63.05", "year": 2021, "source": "ssgi", "value": "30"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert PrevalenceRecord.objects.filter(region_id="63.05", year=2021).count() == 1


def test_a_camat_has_no_prevalence_admin(client, camat_a, figures):
    client.force_login(camat_a)
    response = client.get(reverse("admin:audits_prevalencerecord_changelist"))
    assert response.status_code in (302, 403)
