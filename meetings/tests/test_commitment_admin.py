import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.commitments import services
from meetings.models import Commitment, CommitmentUpdate

from .factories import CommitmentFactory, MeetingFactory, pdf_upload

# The assertions read English msgids; Indonesian is checked in test_my_commitments.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


CHANGELIST = reverse("admin:meetings_commitment_changelist")
ADD = reverse("admin:meetings_commitment_add")
NO_UPDATES = {"updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0"}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_the_admin_list_is_scoped_to_the_kabupaten(client, demo, notulis):
    tapin = CommitmentFactory(owner=demo.orgs["dinkes"])
    CommitmentFactory(owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01")
    client.force_login(notulis)

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [tapin]


def test_the_admin_refuses_a_commitment_of_another_kabupaten(client, demo, notulis):
    other = CommitmentFactory(owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01")
    client.force_login(notulis)

    response = client.get(reverse("admin:meetings_commitment_change", args=[other.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_camat_has_no_admin_access(client, camat_a):
    client.force_login(camat_a)

    assert client.get(CHANGELIST).status_code == 302


def test_the_overdue_filter_uses_the_derived_rule(client, demo, notulis):
    late = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-2))
    closed_late = CommitmentFactory(
        owner=demo.orgs["dinkes"], due_date=days(-2), status=Commitment.Status.VERIFIED
    )
    future = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(5))
    client.force_login(notulis)

    overdue = client.get(CHANGELIST, {"overdue": "yes"}).context["cl"].result_list
    not_overdue = client.get(CHANGELIST, {"overdue": "no"}).context["cl"].result_list

    assert list(overdue) == [late]
    assert set(not_overdue) == {closed_late, future}


def test_status_and_owner_filters_and_search(client, demo, notulis):
    CommitmentFactory(owner=demo.orgs["dinkes"], description="Kelas ibu hamil")
    pupr = CommitmentFactory(
        owner=demo.orgs["pupr"], description="Jamban sehat", status=Commitment.Status.IN_PROGRESS
    )
    client.force_login(notulis)

    assert list(client.get(CHANGELIST, {"status__exact": "in_progress"}).context["cl"].result_list) == [pupr]
    assert list(
        client.get(CHANGELIST, {"owner__id__exact": demo.orgs["pupr"].pk}).context["cl"].result_list
    ) == [pupr]
    assert list(client.get(CHANGELIST, {"q": "jamban"}).context["cl"].result_list) == [pupr]


def test_notulis_records_a_commitment_in_admin_with_a_history_row(client, demo, notulis, dinkes):
    meeting = MeetingFactory(held=True)
    client.force_login(notulis)

    response = client.post(
        ADD,
        {
            "meeting": meeting.pk,
            "description": "Pemberian makanan tambahan untuk 120 balita gizi kurang",
            "intervention_type": "spesifik",
            "owner": demo.orgs["dinkes"].pk,
            "pic": dinkes.pk,
            "due_date": days(30).isoformat(),
            "status": "open",
            **NO_UPDATES,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment = Commitment.objects.get()
    assert (commitment.created_by, commitment.pic, commitment.owner) == (notulis, dinkes, demo.orgs["dinkes"])
    assert CommitmentUpdate.objects.get(commitment=commitment).author == notulis


def test_admin_refuses_an_owner_outside_the_kabupaten_and_a_meeting_outside_scope(client, demo, notulis):
    client.force_login(notulis)

    response = client.post(
        ADD,
        {
            "meeting": MeetingFactory(held=True, region_id="63.01").pk,
            "description": "x",
            "intervention_type": "none",
            "owner": demo.orgs["tpps_tanahlaut"].pk,
            "due_date": days(3).isoformat(),
            "status": "open",
            **NO_UPDATES,
        },
    )

    errors = response.context["adminform"].form.errors
    assert {"meeting", "owner"} <= set(errors)
    assert not Commitment.objects.exists()


def test_admin_refuses_a_status_jump_that_skips_the_workflow(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)

    response = client.post(
        reverse("admin:meetings_commitment_change", args=[commitment.pk]),
        {
            "meeting": commitment.meeting_id,
            "description": commitment.description,
            "intervention_type": commitment.intervention_type,
            "owner": commitment.owner_id,
            "due_date": commitment.due_date.isoformat(),
            "status": "verified",
            **NO_UPDATES,
        },
    )

    assert "status" in response.context["adminform"].form.errors
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN


def test_admin_edit_of_the_status_writes_a_history_row(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)

    client.post(
        reverse("admin:meetings_commitment_change", args=[commitment.pk]),
        {
            "meeting": commitment.meeting_id,
            "description": commitment.description,
            "intervention_type": commitment.intervention_type,
            "owner": commitment.owner_id,
            "due_date": commitment.due_date.isoformat(),
            "status": "cancelled",
            **NO_UPDATES,
        },
    )

    last = commitment.updates.latest("created_at")
    assert (last.status_from, last.status_to, last.author) == ("open", "cancelled", notulis)


def test_bulk_verify_changes_done_ones_and_reports_the_others(client, demo, notulis, dinkes):
    done = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    services.mark_done(commitment=done, acting_user=dinkes, note="x", files=[pdf_upload()])
    still_open = CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)

    response = client.post(
        CHANGELIST, {"action": "mark_verified", "_selected_action": [done.pk, still_open.pk]}, follow=True
    )

    done.refresh_from_db()
    still_open.refresh_from_db()
    assert (done.status, still_open.status) == ("verified", "open")
    assert done.updates.latest("created_at").author == notulis
    assert still_open.updates.count() == 1
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 commitment(s) changed" in t for t in texts)
    assert any(str(still_open) in t for t in texts)


def test_bulk_cancel_writes_one_history_row_per_commitment(client, demo, notulis):
    commitments = CommitmentFactory.create_batch(3, owner=demo.orgs["dinkes"])
    client.force_login(notulis)

    client.post(CHANGELIST, {"action": "mark_cancelled", "_selected_action": [c.pk for c in commitments]})

    assert set(Commitment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert CommitmentUpdate.objects.filter(status_to="cancelled", author=notulis).count() == 3


def test_the_history_is_shown_read_only_in_admin(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)

    response = client.get(reverse("admin:meetings_commitment_change", args=[commitment.pk]))

    assert response.status_code == 200
    assert "Dicatat." in response.content.decode()


def _inline_formset(user, meeting, data=None):
    from django.contrib import admin
    from django.test import RequestFactory

    from meetings.commitments.admin import CommitmentInline
    from meetings.models import Meeting

    request = RequestFactory().post("/") if data else RequestFactory().get("/")
    request.user = user
    inline = CommitmentInline(Meeting, admin.site)
    formset_class = inline.get_formset(request, meeting)
    return (
        formset_class(data, instance=meeting, prefix="commitments")
        if data
        else formset_class(instance=meeting, prefix="commitments")
    )


def test_the_meeting_inline_offers_only_the_kabupatens_organisations(demo, notulis):
    formset = _inline_formset(notulis, MeetingFactory(held=True))

    owners = set(formset.empty_form.fields["owner"].queryset)

    assert demo.orgs["dinkes"] in owners
    assert demo.orgs["tpps_tanahlaut"] not in owners


def test_the_meeting_inline_records_new_and_edited_commitments_in_the_history(demo, notulis):
    meeting = MeetingFactory(held=True)
    existing = CommitmentFactory(meeting=meeting, owner=demo.orgs["pupr"])
    data = {
        "commitments-TOTAL_FORMS": "2",
        "commitments-INITIAL_FORMS": "1",
        "commitments-0-id": existing.pk,
        "commitments-0-meeting": meeting.pk,
        "commitments-0-description": existing.description,
        "commitments-0-intervention_type": existing.intervention_type,
        "commitments-0-owner": existing.owner_id,
        "commitments-0-due_date": existing.due_date.isoformat(),
        "commitments-0-status": "in_progress",
        "commitments-1-meeting": meeting.pk,
        "commitments-1-description": "Kunjungan rumah keluarga berisiko stunting",
        "commitments-1-intervention_type": "sensitif",
        "commitments-1-owner": demo.orgs["dpmd"].pk,
        "commitments-1-due_date": days(30).isoformat(),
        "commitments-1-status": "open",
    }

    formset = _inline_formset(notulis, meeting, data)
    assert formset.is_valid(), formset.errors
    formset.save()

    new = Commitment.objects.get(owner=demo.orgs["dpmd"])
    assert new.created_by == notulis
    assert new.updates.get().author == notulis
    existing.refresh_from_db()
    last = existing.updates.latest("created_at")
    assert (existing.status, last.status_from, last.status_to, last.author) == (
        "in_progress",
        "open",
        "in_progress",
        notulis,
    )


def test_the_meeting_inline_refuses_an_owner_of_another_kabupaten(demo, notulis):
    meeting = MeetingFactory(held=True)
    data = {
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "0",
        "commitments-0-description": "x",
        "commitments-0-intervention_type": "none",
        "commitments-0-owner": demo.orgs["tpps_tanahlaut"].pk,
        "commitments-0-due_date": days(3).isoformat(),
        "commitments-0-status": "open",
    }

    formset = _inline_formset(notulis, meeting, data)

    assert not formset.is_valid()
    assert "owner" in formset.errors[0]


def test_the_admin_list_runs_a_constant_number_of_queries(
    client, demo, notulis, django_assert_max_num_queries
):
    CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)
    with django_assert_max_num_queries(40) as few:
        client.get(CHANGELIST)
    CommitmentFactory.create_batch(15, owner=demo.orgs["pupr"], pic=demo.users["dinkes"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 16


def test_the_due_date_filter_looks_ahead(client, demo, notulis):
    this_week = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(3))
    later = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(60))
    past = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-1))
    client.force_login(notulis)

    def listed(value):
        return list(client.get(CHANGELIST, {"due": value}).context["cl"].result_list)

    assert listed("week") == [this_week]
    assert listed("later") == [later]
    assert listed("past") == [past]


def test_the_owner_filter_lists_a_bounded_number_of_organisations_in_scope(client, demo, notulis):
    from portal.models import Organisation

    Organisation.objects.bulk_create(
        Organisation(name=f"Desa Uji {n:03d}", region_id="63.05.04", kind="other") for n in range(40)
    )
    outside = Organisation.objects.create(name="Dinas Luar", region_id="63.01", kind="opd")
    last = Organisation.objects.filter(region__code__startswith="63.05").order_by("-name").first()
    pupr = CommitmentFactory(owner=demo.orgs["pupr"], description="Jamban sehat")
    client.force_login(notulis)

    response = client.get(CHANGELIST)
    spec = next(f for f in response.context["cl"].filter_specs if f.title == "responsible organisation")
    chosen = client.get(CHANGELIST, {"owner__id__exact": last.pk}).context["cl"]
    chosen_spec = next(f for f in chosen.filter_specs if f.title == "responsible organisation")

    assert len(spec.lookup_choices) == 25
    assert str(last.pk) in {pk for pk, _name in chosen_spec.lookup_choices}
    assert list(chosen.result_list) == []
    assert list(client.get(CHANGELIST, {"owner__id__exact": pupr.owner_id}).context["cl"].result_list) == [
        pupr
    ]
    # Another kabupaten's organisation, or no organisation at all, is an invalid filter.
    assert client.get(CHANGELIST, {"owner__id__exact": outside.pk}).url.endswith("?e=1")
    assert client.get(CHANGELIST, {"owner__id__exact": "x"}).url.endswith("?e=1")


def test_search_by_number_finds_the_commitment_in_scope_only(client, demo, notulis):
    mine = CommitmentFactory(owner=demo.orgs["pupr"], description="Jamban sehat")
    other = CommitmentFactory(owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01")
    client.force_login(notulis)

    assert list(client.get(CHANGELIST, {"q": str(mine.pk)}).context["cl"].result_list) == [mine]
    assert list(client.get(CHANGELIST, {"q": f"#{other.pk}"}).context["cl"].result_list) == []
    assert list(client.get(CHANGELIST, {"q": "JAMBAN"}).context["cl"].result_list) == [mine]


def test_an_unfiltered_list_is_counted_from_the_planners_estimate_once_it_is_big(demo, monkeypatch):
    from django.db import connection

    from portal.admin_paging import EstimatedCountPaginator

    CommitmentFactory.create_batch(3, owner=demo.orgs["pupr"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_commitment")
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'meetings_commitment'")
        estimate = cursor.fetchone()[0]
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 1)

    assert EstimatedCountPaginator(Commitment.objects.all(), 50).count == estimate == 3
    CommitmentFactory(owner=demo.orgs["dinkes"])  # not in the statistics yet
    assert EstimatedCountPaginator(Commitment.objects.filter(owner=demo.orgs["dinkes"]), 50).count == 1
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 100_000)
    assert EstimatedCountPaginator(Commitment.objects.all(), 50).count == 4
