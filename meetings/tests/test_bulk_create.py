"""Commitments and their updates written by the thousand (an import) go through portal.bulk on
PostgreSQL: the same rows Django's bulk_create writes, the objects' keys and stamps set."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy, override

from meetings.commitments.models import Commitment, CommitmentUpdate
from portal import bulk, dashboard

from .factories import MeetingFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="portal.bulk writes on PostgreSQL"),
]


def _commitments(demo, prefix: str) -> list[Commitment]:
    meeting = MeetingFactory(region_id="63.05", held=True)
    today = timezone.localdate()
    return [
        Commitment(
            meeting=meeting,
            description=f"{prefix} {n}: kunjungan rumah balita berisiko Ω",
            intervention_type=[Commitment.InterventionType.SPESIFIK, "sensitif"][n % 2],
            owner=demo.orgs["dinkes"] if n % 3 else demo.orgs["dppkb"],
            pic=demo.users["dinkes"] if n % 2 else None,
            due_date=today + timedelta(days=n),
            status=Commitment.Status.OPEN,
            progress=n * 10,
            created_by=demo.users["notulis"],
        )
        for n in range(4)
    ]


def _stored(model, pks, skip=("id", "created_at", "updated_at")) -> list[tuple]:
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return list(model.objects.filter(pk__in=pks).order_by("pk").values_list(*names))


def test_new_commitments_are_the_rows_django_writes_with_their_keys_and_stamps(
    demo, django_capture_on_commit_callbacks
):
    fast = _commitments(demo, "RTL")
    plain = _commitments(demo, "RTL")
    before = timezone.now()
    version = dashboard._version_key(Commitment._meta.label_lower)
    cache.set(version, "before")

    assert bulk.fits(Commitment, fast, "default")
    with django_capture_on_commit_callbacks(execute=True):
        created = Commitment.objects.bulk_create(fast)
    assert cache.get(version) != "before"  # the dashboard hears of it, as of Django's bulk_create
    Commitment.objects.bulk_create(plain, batch_size=100)  # an option: Django's own path

    assert created is not None and [c.pk for c in created] == [c.pk for c in fast]
    assert all(c.pk and not c._state.adding and c._state.db == "default" for c in fast)
    skip = ("id", "meeting_id", "created_at", "updated_at")  # each list has its own meeting
    fast_rows = _stored(Commitment, [c.pk for c in fast], skip=skip)
    assert len(fast_rows) == 4 and fast_rows == _stored(Commitment, [c.pk for c in plain], skip=skip)
    # Each key read back is its own object's row (the rows' order).
    for commitment in fast:
        stored = Commitment.objects.get(pk=commitment.pk)
        assert stored.description == commitment.description
        assert (stored.created_at, stored.updated_at) == (commitment.created_at, commitment.updated_at)
        assert before <= stored.created_at <= timezone.now()
        assert stored.meeting_region_id == "63.05" and stored.owner_region_id == commitment.owner.region_id


def test_updates_prepare_what_psycopg_cannot_take_as_it_is(demo):
    commitments = Commitment.objects.bulk_create(_commitments(demo, "RTL"))
    updates = [
        CommitmentUpdate(
            commitment=commitment,
            author=demo.users["notulis"],
            note=gettext_lazy("Commitment recorded."),  # a lazy translation: stored as text
            percent="40" if n % 2 else None,  # a string for a number: the field's int
            status_to=Commitment.Status.OPEN,
        )
        for n, commitment in enumerate(commitments)
    ]

    with override("id"):
        created = CommitmentUpdate.objects.bulk_create(updates)

    stored = CommitmentUpdate.objects.filter(pk__in=[u.pk for u in created]).order_by("pk")
    assert [(u.commitment_id, u.percent, u.status_to) for u in stored] == [
        (c.pk, 40 if n % 2 else None, "open") for n, c in enumerate(commitments)
    ]
    with override("id"):
        expected = str(gettext_lazy("Commitment recorded."))
    assert {u.note for u in stored} == {expected}


def test_what_django_alone_writes_is_left_to_it(demo):
    commitments = _commitments(demo, "RTL")
    saved = Commitment.objects.bulk_create(commitments[:1])
    assert not bulk.fits(Commitment, saved, "default")  # a primary key already

    unsaved_owner = _commitments(demo, "RTL")[:1]
    unsaved_owner[0].owner = type(demo.orgs["dinkes"])(name="Belum disimpan", region_id="63.05")
    assert not bulk.fits(Commitment, unsaved_owner, "default")
    with pytest.raises(ValueError, match="unsaved related object"):
        Commitment.objects.bulk_create(unsaved_owner)  # Django's own error


def test_a_related_object_saved_after_it_was_assigned_gives_its_key(demo):
    pic = type(demo.users["dinkes"])(username="pic.baru", email="pic@example.org")
    commitment = _commitments(demo, "RTL")[0]
    commitment.pic = pic
    pic.save()  # after the assignment: the commitment's pic_id is still empty

    assert bulk.fits(Commitment, [commitment], "default")
    Commitment.objects.bulk_create([commitment])

    assert Commitment.objects.get(pk=commitment.pk).pic_id == pic.pk
