"""Each way a commitment becomes visible, read from the region copies on the row
(Commitment.meeting_region / owner_region), and the copies following a meeting or an
organisation that moves."""

import pytest
from django.db.models import Q

from meetings.models import Commitment, user_organisations
from portal.models import Organisation, User, region_q

from .factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[int]:
    return set(Commitment.objects.visible_to(user).values_list("pk", flat=True))


def joined_rule(user) -> set[int]:
    """The rule as it reads through the joins (meeting, organisation): the copies must agree."""
    codes = user.scope_codes()
    rows = Commitment.objects.filter(
        region_q(codes, "meeting__region_id")
        | region_q(codes, "owner__region_id")
        | Q(owner__in=user_organisations(user))
        | Q(pic=user)
    )
    return set(rows.values_list("pk", flat=True))


@pytest.fixture
def kecamatan_rakor_rtl(demo):
    """Agreed in Tapin Utara's rakor, owned by a kabupaten office."""
    meeting = MeetingFactory(region_id="63.05.04", held=True)
    return CommitmentFactory(meeting=meeting, owner=demo.orgs["dinkes"])


@pytest.fixture
def kabupaten_rakor_rtl(demo):
    """Agreed in the kabupaten rakor, owned by the puskesmas of Tapin Utara."""
    meeting = MeetingFactory(region_id="63.05", held=True)
    return CommitmentFactory(meeting=meeting, owner=demo.orgs["pkm_tapinutara"])


@pytest.fixture
def elsewhere_rtl(demo):
    """Kabupaten rakor, owned by the puskesmas of Binuang."""
    meeting = MeetingFactory(region_id="63.05", held=True)
    return CommitmentFactory(meeting=meeting, owner=demo.orgs["pkm_binuang"])


def test_a_commitment_is_visible_through_the_meetings_region(camat_a, kecamatan_rakor_rtl, elsewhere_rtl):
    assert visible(camat_a) >= {kecamatan_rakor_rtl.pk}
    assert elsewhere_rtl.pk not in visible(camat_a)


def test_a_commitment_is_visible_through_the_owners_region(camat_a, kabupaten_rakor_rtl, elsewhere_rtl):
    assert kabupaten_rakor_rtl.pk in visible(camat_a)
    assert elsewhere_rtl.pk not in visible(camat_a)


def test_a_commitment_is_visible_to_its_owner_organisation(demo, kabupaten_rakor_rtl, elsewhere_rtl):
    member = User.objects.create_user("staf.pkm", organisation=demo.orgs["pkm_tapinutara"])

    assert visible(member) == {kabupaten_rakor_rtl.pk}


def test_a_commitment_is_visible_to_its_pic(demo, elsewhere_rtl, kabupaten_rakor_rtl):
    pic = User.objects.create_user("pic.binuang")
    Commitment.objects.filter(pk=elsewhere_rtl.pk).update(pic=pic)

    assert visible(pic) == {elsewhere_rtl.pk}


def test_the_other_camat_and_an_outsider_see_none_of_them(
    camat_b, outsider, kecamatan_rakor_rtl, kabupaten_rakor_rtl
):
    assert visible(camat_b) & {kecamatan_rakor_rtl.pk, kabupaten_rakor_rtl.pk} == set()
    assert visible(outsider) == set()


def test_every_persona_sees_what_the_joined_rule_shows(
    demo, kecamatan_rakor_rtl, kabupaten_rakor_rtl, elsewhere_rtl
):
    for user in demo.users.values():
        assert visible(user) == joined_rule(user), user.username


def test_the_copies_follow_a_meeting_that_moves(camat_a, camat_b, kecamatan_rakor_rtl):
    meeting = kecamatan_rakor_rtl.meeting
    meeting.region_id = "63.05.01"  # Binuang
    meeting.save()

    kecamatan_rakor_rtl.refresh_from_db()
    assert kecamatan_rakor_rtl.meeting_region_id == "63.05.01"
    assert kecamatan_rakor_rtl.pk in visible(camat_b)
    assert kecamatan_rakor_rtl.pk not in visible(camat_a)


def test_the_copies_follow_an_organisation_that_moves(camat_a, camat_b, kabupaten_rakor_rtl):
    puskesmas = Organisation.objects.get(pk=kabupaten_rakor_rtl.owner_id)
    puskesmas.region_id = "63.05.01"
    puskesmas.save()

    kabupaten_rakor_rtl.refresh_from_db()
    assert kabupaten_rakor_rtl.owner_region_id == "63.05.01"
    assert kabupaten_rakor_rtl.pk in visible(camat_b)
    assert kabupaten_rakor_rtl.pk not in visible(camat_a)


def test_the_copies_follow_a_commitment_given_to_another_owner(demo, camat_b, kabupaten_rakor_rtl):
    kabupaten_rakor_rtl.owner = demo.orgs["pkm_binuang"]
    kabupaten_rakor_rtl.save(update_fields=["owner"])

    kabupaten_rakor_rtl.refresh_from_db()
    assert kabupaten_rakor_rtl.owner_region_id == "63.05.01"
    assert kabupaten_rakor_rtl.pk in visible(camat_b)
