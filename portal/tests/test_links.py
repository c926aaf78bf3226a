"""reverse_pk gives reverse()'s own URL, and falls back to it where it cannot (the apps' views:
tests/test_links.py)."""

import uuid

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from portal.links import reverse_fixed, reverse_pk


@pytest.mark.parametrize(
    "viewname",
    [
        "portal:notification-open",
        "portal:organisation-detail",
    ],
)
@pytest.mark.parametrize("pk", [1, 9, 10, 4051, 7_391_346_128, 2**63 - 1])
def test_a_link_is_the_one_reverse_gives(viewname, pk):
    assert reverse_pk(viewname, pk) == reverse(viewname, args=[pk])


def test_the_script_prefix_of_the_moment_is_used():
    plain = reverse_pk("portal:organisation-detail", 12)
    set_script_prefix("/tpps/")
    try:
        assert reverse_pk("portal:organisation-detail", 12) == "/tpps" + plain
    finally:
        clear_script_prefix()
    assert reverse_pk("portal:organisation-detail", 12) == plain


def test_a_changed_urlconf_is_followed(settings):
    assert reverse_pk("portal:organisation-detail", 5) == reverse("portal:organisation-detail", args=[5])
    settings.ROOT_URLCONF = "portal.tests.urls_links"
    assert reverse_pk("plain", 5) == "/plain/5/edit/"
    with pytest.raises(NoReverseMatch):
        reverse_pk("portal:organisation-detail", 5)


@pytest.mark.parametrize(("viewname", "expected"), [("padded", "/padded/0000000042/"), ("hex", "/hex/2a/")])
def test_a_converter_that_rewrites_the_id_is_reversed_each_time(settings, viewname, expected):
    settings.ROOT_URLCONF = "portal.tests.urls_links"
    assert reverse_pk(viewname, 42) == expected
    assert reverse_pk(viewname, 4051) == reverse(viewname, args=[4051])


def test_an_id_given_as_its_digits_is_linked_as_the_number():
    for pk in ("1", "12", "7391346128"):
        assert reverse_pk("portal:organisation-detail", pk) == reverse(
            "portal:organisation-detail", args=[pk]
        )
        assert reverse_pk("portal:organisation-detail", pk) == reverse_pk(
            "portal:organisation-detail", int(pk)
        )


@pytest.mark.parametrize("pk", [0, -3, "012", "0", "١٢", "12a", "", None, True])
def test_what_is_not_a_positive_integer_goes_through_reverse(pk):
    try:
        expected = reverse("portal:organisation-detail", args=[pk])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            reverse_pk("portal:organisation-detail", pk)
    else:
        assert reverse_pk("portal:organisation-detail", pk) == expected


def test_a_url_whose_argument_is_no_integer_answers_as_reverse_does():
    job = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert reverse_pk("portal:job-detail", job) == reverse("portal:job-detail", args=[job])
    with pytest.raises(NoReverseMatch):
        reverse_pk("portal:job-detail", 5)


@pytest.mark.parametrize(
    "viewname", ["portal:dashboard", "portal:organisation-list", "portal:notification-list", "admin:index"]
)
def test_a_link_without_arguments_is_the_one_reverse_gives(viewname):
    assert reverse_fixed(viewname) == reverse(viewname)


def test_a_link_without_arguments_follows_the_script_prefix_and_urlconf(settings):
    plain = reverse_fixed("portal:dashboard")
    set_script_prefix("/tpps/")
    try:
        assert reverse_fixed("portal:dashboard") == "/tpps" + plain == reverse("portal:dashboard")
    finally:
        clear_script_prefix()
    assert reverse_fixed("portal:dashboard") == plain
    settings.ROOT_URLCONF = "portal.tests.urls_links"
    assert reverse_fixed("plain-list") == "/plain/"
    with pytest.raises(NoReverseMatch):
        reverse_fixed("portal:dashboard")
