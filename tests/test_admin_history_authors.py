"""The history list and history form name who made a change only when the viewer may see that
person (portal.access.people_in_scope); otherwise they say "Another user". Uses the
two-kabupaten world: a DPPKB admin of Tapin reads the history of a Tapin object that a Banjar
user changed."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from . import two_kabupaten as tk

pytestmark = [pytest.mark.postgres]

world = tk.world  # the module-scoped fixture

BANJAR_AUTHOR = ("Notulis BANJAR", "notulis.banjar@banjar.example")


@pytest.fixture
def changed_by_banjar(world, db):
    """A Tapin organisation whose last change was made by Banjar's notulis (rolled back after)."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        organisation = world["tapin"].organisation
        organisation.short_name = "Diubah"
        organisation._history_user = world.users["notulis_banjar"]
        organisation.save()
        yield organisation
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def history_pages(client, obj) -> tuple[str, str]:
    opts = obj._meta
    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    version = obj.history.latest().history_id
    form = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])
    )
    assert (listing.status_code, form.status_code) == (200, 200)
    return listing.content.decode(), form.content.decode()


def test_a_tapin_admin_sees_another_user_for_a_change_made_in_banjar(world, changed_by_banjar):
    listing, form = history_pages(world.clients["dppkb"], changed_by_banjar)

    for page in (listing, form):
        assert [marker for marker in BANJAR_AUTHOR if marker in page] == []
        assert "Pengguna lain" in page


def test_a_tapin_admin_sees_the_author_from_his_own_kabupaten(world, changed_by_banjar):
    changed_by_banjar.short_name = "Diubah lagi"
    changed_by_banjar._history_user = world.users["notulis"]
    changed_by_banjar.save()

    listing, form = history_pages(world.clients["dppkb"], changed_by_banjar)

    assert str(world.users["notulis"]) in listing
    assert str(world.users["notulis"]) in form
    assert "Pengguna lain" not in form


def test_a_superuser_sees_every_author(world, changed_by_banjar):
    listing, form = history_pages(world.clients["superuser"], changed_by_banjar)

    assert BANJAR_AUTHOR[0] in listing
    assert BANJAR_AUTHOR[0] in form
    assert "Pengguna lain" not in listing + form


@pytest.fixture
def chair_from_banjar(world, db):
    """A Tapin meeting whose chair was once set to Banjar's notulis (rolled back after)."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        meeting = world["tapin"].meeting
        meeting.chair = world.users["notulis_banjar"]
        meeting._history_user = world.users["notulis"]
        meeting.save()
        yield meeting
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_a_change_to_someone_of_another_kabupaten_names_them_only_to_those_who_see_them(
    world, chair_from_banjar
):
    url = reverse("admin:meetings_meeting_history", args=[chair_from_banjar.pk])

    tapin = world.clients["dppkb"].get(url).content.decode()
    superuser = world.clients["superuser"].get(url).content.decode()

    assert [marker for marker in BANJAR_AUTHOR if marker in tapin] == []
    assert "Pengguna lain" in tapin
    assert BANJAR_AUTHOR[0] in superuser
