"""The NIK access log page: 50 entries a page, newest first, with the portal's pagination, in a
constant number of queries however long the log is; still read by the DPPKB admin only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import NikAccessLog
from audits.views import ACCESS_LOG_PAGE_SIZE

from .factories import make_case

pytestmark = pytest.mark.django_db


def _log(case, users, n):
    NikAccessLog.objects.bulk_create(
        NikAccessLog(case=case, user=users[i % len(users)], ip_address=f"10.0.{i // 250}.{i % 250}")
        for i in range(n)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.fixture
def cases(audit_round, teknis):
    return [make_case(audit_round, teknis), make_case(audit_round, teknis)]


def test_the_log_is_paginated_newest_first(client, audit_round, cases, dppkb, pakar, teknis):
    _log(cases[0], [pakar, teknis], 70)
    _log(cases[1], [pakar, teknis, dppkb], 50)
    url = reverse("audits:access-log", args=[audit_round.pk])
    client.force_login(dppkb)
    first = client.get(url)
    entries = list(first.context["entries"])
    assert len(entries) == ACCESS_LOG_PAGE_SIZE == 50
    newest = list(NikAccessLog.objects.order_by("-at", "-pk").values_list("pk", flat=True))
    assert [e.pk for e in entries] == newest[:50]
    html = first.content.decode()
    assert first.context["page_obj"].paginator.num_pages == 3
    assert 'class="pagination' in html and 'href="?page=2"' in html
    last = client.get(url, {"page": 3})
    assert [e.pk for e in last.context["entries"]] == newest[100:]
    assert client.get(url, {"page": "999"}).context["page_obj"].number == 3
    assert client.get(url, {"page": "x"}).context["page_obj"].number == 1


def test_the_page_costs_the_same_queries_for_a_short_and_a_long_log(client, audit_round, cases, dppkb, pakar):
    url = reverse("audits:access-log", args=[audit_round.pk])
    client.force_login(dppkb)
    _log(cases[0], [pakar], 3)
    _queries(client, url)  # the first request also fills the user's cached rights
    short = _queries(client, url)
    _log(cases[1], [pakar, dppkb], 200)
    assert _queries(client, url) == short
    assert _queries(client, f"{url}?page=3") == short


def test_who_reads_the_log_is_unchanged(client, audit_round, cases, dppkb, pakar, teknis, outsider):
    _log(cases[0], [pakar], 60)
    url = reverse("audits:access-log", args=[audit_round.pk])
    for person in (pakar, teknis):
        client.force_login(person)
        assert client.get(url, {"page": 2}).status_code == 403
    client.force_login(outsider)
    assert client.get(url, {"page": 2}).status_code in (403, 404)
    client.force_login(dppkb)
    assert client.get(url, {"page": 2}).status_code == 200
