"""The monitoring dashboard: numbers against known data, scope, constant queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import PrevalenceRecord
from audits.models.prevalence import seed_prevalence
from audits.monitoring import stats
from portal.models import Region

from .monitoring_data import NAME, NIK, build, grow

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return reverse("audits:monitoring-region", args=[code])


@pytest.fixture
def data(demo):
    seed_prevalence()
    return build(demo)


def test_coverage_per_kecamatan_counts_the_desa_reached(data):
    rows = {
        row.name: row for row in stats.coverage_by_kecamatan(data.round, Region.objects.get(code="63.05"))
    }
    assert (rows["Tapin Utara"].total, rows["Tapin Utara"].covered, rows["Tapin Utara"].covered_share) == (
        4,
        2,
        50,
    )
    assert (rows["Binuang"].total, rows["Binuang"].covered, rows["Binuang"].covered_share) == (4, 1, 25)
    total = stats.coverage_total(list(rows.values()))
    assert total.covered == 3
    assert total.total == sum(row.total for row in rows.values())


def test_cases_are_counted_by_target_group_and_cause(data):
    rows = {row.code: row for row in stats.cases_by_group(data.round, Region.objects.get(code="63.05"))}
    assert list(rows) == ["catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"]
    assert (
        rows["baduta"].cases,
        rows["baduta"].direct,
        rows["baduta"].indirect,
        rows["baduta"].reviewed,
    ) == (2, 1, 1, 1)
    assert (rows["ibu_hamil"].cases, rows["ibu_hamil"].direct, rows["ibu_hamil"].indirect) == (1, 1, 1)
    assert (rows["catin"].cases, rows["catin"].direct, rows["catin"].indirect) == (1, 0, 0)
    assert rows["balita"].cases == 0


def test_a_kecamatan_counts_only_its_own_cases(data):
    rows = {row.code: row for row in stats.cases_by_group(data.round, Region.objects.get(code="63.05.01"))}
    assert sum(row.cases for row in rows.values()) == 1
    assert rows["catin"].cases == 1


def test_recommendations_by_organisation_show_adopted_done_and_overdue(data):
    rows = {
        row.name: row for row in stats.recommendations_by_owner(data.round, Region.objects.get(code="63.05"))
    }
    dinkes = rows["Dinas Kesehatan Kabupaten Tapin"]
    dinsos = rows["Dinas Sosial Kabupaten Tapin"]
    assert (dinkes.total, dinkes.adopted, dinkes.done, dinkes.overdue, dinkes.done_share) == (2, 2, 1, 1, 50)
    assert (dinsos.total, dinsos.adopted, dinsos.done, dinsos.overdue) == (1, 0, 0, 0)
    assert next(iter(rows)) == "Dinas Kesehatan Kabupaten Tapin"  # the overdue first


def test_commitments_by_organisation_count_open_done_and_overdue(data):
    rows = {row.name: row for row in stats.commitments_by_owner(Region.objects.get(code="63.05"))}
    dinkes = rows["Dinas Kesehatan Kabupaten Tapin"]
    assert (dinkes.total, dinkes.open, dinkes.done, dinkes.overdue) == (2, 1, 1, 1)


def test_rakor_attendance_is_present_of_invited(data):
    [rakor] = stats.rakor_attendance(Region.objects.get(code="63.05"))
    assert (rakor.invited, rakor.present, rakor.present_share) == (4, 2, 50)


def test_prevalence_puts_the_kabupaten_beside_province_and_nation(data):
    result = stats.prevalence(Region.objects.get(code="63.05"))
    assert result["columns"] == ["Kab. Tapin", "Kalimantan Selatan", "Indonesia"]
    by_year = {row.year: [r.value if r else None for r in row.values] for row in result["rows"]}
    assert by_year[2021] == [Decimal("33.5"), Decimal("30.0"), Decimal("24.4")]
    assert by_year[2022] == [Decimal("14.5"), Decimal("24.6"), Decimal("21.6")]
    assert by_year[2023] == [None, Decimal("24.7"), Decimal("21.5")]
    assert result["latest"].value == Decimal("14.5")
    chart = result["chart"]
    assert [line.name for line in chart.lines] == ["Kab. Tapin", "Kalimantan Selatan", "Indonesia"]
    assert len(chart.lines[0].points) == 2
    # Higher prevalence is drawn higher up (smaller y); the 14% target line lies below 14.5%.
    tapin = chart.lines[0].points
    assert tapin[0].y < tapin[1].y < chart.target_y


def test_dppkb_sees_the_kabupaten_dashboard_with_its_numbers(client, dppkb, data):
    client.force_login(dppkb)
    response = client.get(url("63.05"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="prevalence-chart"' in html and "<svg" in html and "<polyline" in html
    assert 'data-testid="prevalence-table"' in html and "33,5%" in html and "14,5%" in html
    assert "style=" not in html and "<script>" not in html.replace("<script src=", "")
    assert response.context["coverage_total"].covered == 3
    assert response.context["groups_total"].cases == 4
    assert response.context["recommendations_total"].overdue == 1
    assert NIK not in html and NAME not in html and "6305****" not in html
    # Coordinates are never localised (an Indonesian "12,5" would break the SVG).
    assert re.search(r'<circle class="aks-point aks-series-0" cx="\d+\.\d" cy="\d+\.\d"', html)


def test_the_dashboard_index_takes_a_kabupaten_user_straight_to_it(client, dppkb, data):
    client.force_login(dppkb)
    response = client.get(reverse("audits:monitoring"))
    assert response.status_code == 302 and response.url == url("63.05")


def test_camat_sees_aggregates_of_their_kecamatan_only(client, camat_a, data):
    client.force_login(camat_a)
    response = client.get(url("63.05.04"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["coverage_total"].covered == 2
    assert response.context["groups_total"].cases == 3
    assert "Keramat" in html and "Antasari" in html
    assert NAME not in html and NIK not in html and "Tungkap" not in html
    assert client.get(url("63.05.01")).status_code == 404
    assert client.get(url("63.05")).status_code == 404


def test_camat_of_another_kecamatan_is_refused(client, camat_b, data):
    client.force_login(camat_b)
    assert client.get(url("63.05.04")).status_code == 404
    assert client.get(url("63.05.01")).status_code == 200


def test_people_without_a_monitoring_role_are_refused(client, dinkes, outsider, data):
    for person in (dinkes, outsider):
        client.force_login(person)
        assert client.get(reverse("audits:monitoring")).status_code == 403
        assert client.get(url("63.05")).status_code == 403


def test_an_unknown_round_or_region_is_not_found(client, dppkb, data):
    client.force_login(dppkb)
    assert client.get(url("63.05") + "?round=999999").status_code == 404
    assert client.get(url("63.05") + "?round=abc").status_code == 404
    assert client.get(url("63.05.04.2005")).status_code == 404  # a desa has no dashboard
    assert client.get(url("63.01")).status_code == 404  # another kabupaten


def test_the_province_compares_its_kabupaten(client, bkkbn, data):
    client.force_login(bkkbn)
    response = client.get(url("63"))
    assert response.status_code == 200
    rows = {row.region.code: row for row in response.context["kabupaten"]}
    tapin = rows["63.05"]
    assert (tapin.prevalence.value, tapin.covered, tapin.cases) == (Decimal("14.5"), 3, 4)
    assert (tapin.recommendations, tapin.recommendations_done, tapin.commitments_overdue) == (3, 1, 1)
    assert rows["63.01"].prevalence.value == Decimal("26.6") and rows["63.01"].round is None
    html = response.content.decode()
    assert (
        'data-testid="kabupaten-chart"' in html and html.count("aks-bar aks-bar-high") == 2
    )  # both above 14%
    assert client.get(url("63.05")).status_code == 200


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    ("persona", "code"), [("dppkb", "63.05"), ("camat.tapinutara", "63.05.04"), ("bkkbn", "63")]
)
def test_each_page_runs_a_constant_number_of_queries(
    client, demo, data, persona, code, django_assert_max_num_queries
):
    client.force_login(demo.users[persona])
    # Each first request after a write to people or organisations also fills the user's cached rights.
    _queries(client, url(code))
    with django_assert_max_num_queries(25):
        small = _queries(client, url(code))
    grow(demo, data.round)
    _queries(client, url(code))
    with django_assert_max_num_queries(25):
        large = _queries(client, url(code))
    assert large == small


def test_national_and_seeded_figures_are_unique_per_region_year_and_source(data):
    assert PrevalenceRecord.objects.filter(region__isnull=True).count() == 3
    assert seed_prevalence() == 0  # idempotent
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PrevalenceRecord.objects.create(region=None, year=2021, source="ssgi", value=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PrevalenceRecord.objects.create(region_id="63.05", year=2021, source="ssgi", value=Decimal("1"))
    assert PrevalenceRecord.objects.count() == 9


def test_the_round_files_offered_follow_the_persons_rights(client, dppkb, bkkbn, camat_a, data):
    def offered(person, code):
        client.force_login(person)
        return [file["url"] for file in client.get(url(code)).context["files"]]

    pk = data.round.pk
    assert offered(dppkb, "63.05") == [
        reverse("audits:round-report", args=[pk]),
        reverse("audits:round-desa-export", args=[pk]),
        reverse("audits:round-cases-export", args=[pk]),
        reverse("audits:round-cases-export", args=[pk]),  # with NIK and name (identitas=1)
        reverse("audits:round-cases-import", args=[pk]),
    ]
    assert offered(bkkbn, "63.05") == [
        reverse("audits:round-report", args=[pk]),
        reverse("audits:round-desa-export", args=[pk]),
    ]
    assert offered(camat_a, "63.05.04") == []


def test_the_menu_offers_the_monitoring_to_those_who_may_open_it(client, dppkb, camat_a, bkkbn, dinkes, data):
    def keys(person):
        client.force_login(person)
        return [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]

    for person in (dppkb, camat_a, bkkbn):
        assert "monitoring" in keys(person)
    assert "monitoring" not in keys(dinkes)
