"""Time-driven reminders about commitments (RTL) and meetings: which rows, which
recipients, which dates; and what happens when the source changes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Commitment, Invitation, Meeting
from portal.models import Notification, Region
from portal.notifications import engine, refresh_reminders, rules

State = Notification.State
WITA = timezone.get_default_timezone()


def wita(day, hour=0, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), WITA)


@pytest.fixture
def rakor(demo, dppkb):
    return Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region=Region.objects.get(code="63.05"),
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10, hours=-2),
        status=Meeting.Status.HELD,
    )


@pytest.fixture
def commitment(demo, rakor, kapus):
    return Commitment.objects.create(
        meeting=rakor,
        description="Distribusi PMT untuk balita gizi kurang",
        owner=demo.orgs["dinkes"],
        pic=kapus,
        due_date=timezone.localdate() + timedelta(days=10),
    )


def scheduled(**filters) -> dict[str, set]:
    rows = Notification.objects.filter(state=State.SCHEDULED, channel="email", **filters).select_related(
        "recipient"
    )
    out: dict[str, set] = {}
    for row in rows:
        stage = row.rule.split(":")[1]
        out.setdefault(stage, set()).add((row.recipient.username, timezone.localtime(row.send_at)))
    return out


def test_the_commitment_ladder_goes_to_the_pic_and_focal_point_and_escalates_to_dppkb(
    commitment, reminder_settings
):
    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))

    due = commitment.due_date
    at8 = lambda day: wita(day, 8)  # noqa: E731 - default send time 08:00 WITA
    people = {"kapus.tapinutara", "dinkes"}
    expected = {
        "h-7": {(u, at8(due - timedelta(days=7))) for u in people},
        "h-3": {(u, at8(due - timedelta(days=3))) for u in people},
        "h-1": {(u, at8(due - timedelta(days=1))) for u in people},
        "h0": {(u, at8(due)) for u in people},
        "overdue": {(u, at8(due + timedelta(days=1))) for u in people},
        "escalation": {("dppkb", at8(due + timedelta(days=7)))},
    }
    assert scheduled() == expected


def test_lead_times_come_from_the_admin_settings(commitment, reminder_settings, set_reminder_option):
    set_reminder_option("meetings", "commitment_lead_days", "14,2")
    set_reminder_option("meetings", "escalation_days", 3)

    rules.scan(now=wita(commitment.due_date - timedelta(days=15), 9))

    assert set(scheduled()) == {"h-14", "h-2", "overdue", "escalation"}
    assert {when.date() for _, when in scheduled()["escalation"]} == {commitment.due_date + timedelta(days=3)}


def test_a_done_verified_or_cancelled_commitment_gets_no_more_reminders(commitment, reminder_settings):
    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
    assert Notification.objects.filter(state=State.SCHEDULED).exists()

    for status in ("done", "verified", "cancelled"):
        Commitment.objects.filter(pk=commitment.pk).update(status=status)
        rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
        assert not Notification.objects.filter(state=State.SCHEDULED).exists(), status


def test_a_changed_deadline_recomputes_the_ladder(commitment, reminder_settings):
    now = wita(commitment.due_date - timedelta(days=8), 9)
    rules.scan(now=now)
    old = set(Notification.objects.values_list("pk", flat=True))

    commitment.due_date += timedelta(days=5)
    commitment.save()
    rules.scan(now=now)

    assert set(Notification.objects.filter(pk__in=old).values_list("state", flat=True)) == {State.CANCELLED}
    h7 = scheduled()["h-7"]
    assert {when.date() for _, when in h7} == {commitment.due_date - timedelta(days=7)}


def test_a_commitment_finished_after_the_scan_is_cancelled_at_send_time(
    commitment, reminder_settings, mailbox
):
    Commitment.objects.filter(pk=commitment.pk).update(due_date=timezone.localdate())
    reminder_settings.send_time = time(0, 0)
    reminder_settings.grace_hours = 30
    reminder_settings.save()
    commitment.refresh_from_db()
    rules.scan()
    Commitment.objects.filter(pk=commitment.pk).update(status="done")

    engine.dispatch()

    assert mailbox == []
    assert Notification.objects.filter(rule__contains=":h0:", state=State.CANCELLED).exists()


@pytest.fixture
def meeting(demo, camat_a, camat_b, kapus, pkk):
    start = timezone.localtime() + timedelta(days=5)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        title="Rakor TPPS Kecamatan Tapin Utara",
        region=Region.objects.get(code="63.05.04"),
        start=start,
        end=start + timedelta(hours=2),
        mode=Meeting.Mode.HYBRID,
        venue="Aula Kantor Kecamatan",
        online_link="https://meet.example/rakor",
        status=Meeting.Status.SCHEDULED,
    )
    Invitation.objects.create(meeting=meeting, person=camat_a, response=Invitation.Response.HADIR)
    Invitation.objects.create(meeting=meeting, person=kapus)  # no answer yet
    Invitation.objects.create(meeting=meeting, person=pkk, response=Invitation.Response.IZIN)  # declined
    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])  # reaches its focal point
    return meeting


def test_meeting_reminders_go_to_invitees_who_have_not_declined(meeting, reminder_settings):
    rules.scan(now=meeting.start - timedelta(days=4))  # the nudge's window (3 days before, + 1)
    assert scheduled(rule__startswith="meeting_reminder:") == {}  # not yet: 1 day before, + 1
    rules.scan(now=meeting.start - timedelta(days=2))

    start = timezone.localtime(meeting.start)
    invitees = {"camat.tapinutara", "kapus.tapinutara", "dinkes"}
    reminders = scheduled(rule__startswith="meeting_reminder:")
    assert reminders == {
        "days": {(u, start - timedelta(days=1)) for u in invitees},
        "hours": {(u, start - timedelta(hours=3)) for u in invitees},
    }
    nudge = scheduled(rule__startswith="meeting_rsvp_nudge:")
    assert nudge == {
        start.strftime("%Y%m%dT%H%M"): {
            (u, wita(start.date() - timedelta(days=3), 8)) for u in ("kapus.tapinutara", "dinkes")
        }
    }


def test_an_hours_lead_longer_than_the_nudges_window_is_honoured(meeting, reminder_settings):
    from portal.models import ReminderValue

    ReminderValue.objects.create(app_label="meetings", name="meeting_hours_before", value="120")
    rules.scan(now=meeting.start - timedelta(hours=130))

    start = timezone.localtime(meeting.start)
    hours = scheduled(rule__startswith="meeting_reminder:")["hours"]
    assert {when for _, when in hours} == {start - timedelta(hours=120)}


def test_a_meeting_moved_by_a_day_moves_its_reminders(meeting, reminder_settings):
    now = meeting.start - timedelta(days=2)
    rules.scan(now=now)
    old = set(Notification.objects.filter(state=State.SCHEDULED).values_list("pk", flat=True))

    meeting.start += timedelta(days=1)
    meeting.end += timedelta(days=1)
    meeting.save()
    refresh_reminders(meeting)  # what the meetings app may call on save; the scan does the same

    assert set(Notification.objects.filter(pk__in=old).values_list("state", flat=True)) == {State.CANCELLED}
    start = timezone.localtime(meeting.start)
    days = scheduled(rule__startswith="meeting_reminder:")["days"]
    assert {when for _, when in days} == {start - timedelta(days=1)}


def test_a_cancelled_meeting_cancels_its_pending_reminders(meeting, reminder_settings):
    rules.scan(now=meeting.start - timedelta(days=4))
    rules.scan(now=meeting.start - timedelta(days=2))
    assert {row.rule_name for row in Notification.objects.all()} == {"meeting_reminder", "meeting_rsvp_nudge"}
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()

    rules.scan(now=meeting.start - timedelta(days=2))

    assert not Notification.objects.filter(state=State.SCHEDULED).exists()
    assert Notification.objects.filter(state=State.CANCELLED).count() > 0


def test_an_invitee_who_declines_after_the_scan_gets_no_reminder(meeting, reminder_settings, mailbox, kapus):
    rules.scan(now=meeting.start - timedelta(days=4))
    rules.scan(now=meeting.start - timedelta(days=2))
    Invitation.objects.filter(person=kapus).update(response=Invitation.Response.IZIN)
    Notification.objects.filter(recipient=kapus).update(send_at=timezone.now(), due_at=timezone.now())

    engine.dispatch()

    assert not [m for m in mailbox if m.to == [kapus.email]]
    assert not Notification.objects.filter(recipient=kapus, state=State.SENT).exists()


def test_a_meeting_reminder_names_the_mode_venue_and_link(meeting, reminder_settings, mailbox, camat_a):
    rules.scan(now=meeting.start - timedelta(days=2))
    Notification.objects.of_rule("meeting_reminder", "days").filter(recipient=camat_a).update(
        send_at=timezone.now(), due_at=timezone.now()
    )

    engine.dispatch()

    (mail,) = [m for m in mailbox if m.to == [camat_a.email]]
    assert mail.subject.startswith("Pengingat: Rakor TPPS Kecamatan Tapin Utara")
    assert "Aula Kantor Kecamatan" in mail.body and "https://meet.example/rakor" in mail.body
    assert "/rsvp/" in mail.body  # the person's own one-tap RSVP link


def test_the_nudge_carries_each_persons_own_one_tap_rsvp_link(meeting, reminder_settings, mailbox, kapus):
    from meetings.links import read_rsvp_token

    rules.scan(now=meeting.start - timedelta(days=4))
    Notification.objects.of_rule("meeting_rsvp_nudge").update(send_at=timezone.now(), due_at=timezone.now())

    engine.dispatch()

    (mail,) = [m for m in mailbox if m.to == [kapus.email]]
    token = mail.body.split("/rsvp/")[1].split("/")[0]
    invitation, person = read_rsvp_token(token, meeting.pk)
    assert person == kapus and invitation.meeting == meeting


def test_a_ladder_stage_held_too_long_is_missed_once_the_next_stage_is_due(
    commitment, reminder_settings, mailbox
):
    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
    h1 = Notification.objects.filter(rule__contains=":h-1:", channel="email")
    h0 = Notification.objects.filter(rule__contains=":h0:", channel="email")
    assert {row.expires_at for row in h1} == {row.send_at for row in h0}

    # The H-1 rows were held (quiet hours, outage) until after the due-day stage began.
    h1.update(expires_at=timezone.now() - timedelta(minutes=1))
    h1.update(send_at=timezone.now() - timedelta(hours=2))
    engine.dispatch()

    assert set(h1.values_list("state", flat=True)) == {State.MISSED} and mailbox == []


def test_once_the_minutes_are_approved_each_responsible_person_gets_their_new_commitments(
    demo, rakor, commitment, reminder_settings, mailbox, kapus, dinkes, camat_a
):
    from meetings.models import Minutes

    Commitment.objects.create(
        meeting=rakor,
        description="Sanitasi desa",
        owner=demo.orgs["pupr"],
        pic=camat_a,
        due_date=commitment.due_date,
    )
    rules.scan()
    assert not Notification.objects.filter(
        rule__startswith="meeting_commitments:"
    ).exists()  # not approved yet

    Minutes.objects.create(meeting=rakor, status=Minutes.Status.APPROVED, approved_at=timezone.now())
    rules.scan()
    rules.scan()
    engine.dispatch()

    mails = {m.to[0]: m for m in mailbox if "Distribusi" in m.body or "Sanitasi" in m.body}
    assert set(mails) == {kapus.email, dinkes.email, camat_a.email}
    assert "Distribusi PMT" in mails[kapus.email].body and "Sanitasi" not in mails[kapus.email].body
    # Indonesian has one plural form, so the count is always shown.
    assert mails[camat_a.email].subject == "1 komitmen Anda dari Rakor TPPS Kabupaten Tapin"


def test_each_ladder_email_carries_the_recipients_own_one_tap_progress_link(
    commitment, reminder_settings, mailbox, kapus, dinkes, client
):
    from meetings.links import read_progress_token

    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
    Notification.objects.of_rule("commitment_due", "h-7").update(
        send_at=timezone.now(), due_at=timezone.now()
    )

    engine.dispatch()

    mails = {m.to[0]: m for m in mailbox}
    assert set(mails) == {kapus.email, dinkes.email}
    for person in (kapus, dinkes):
        mail = mails[person.email]
        token = mail.body.split("/quick/")[1].split("/")[0]
        assert read_progress_token(token, commitment.pk) == (commitment, person)
        html = mail.alternatives[0][0]
        assert f"/quick/{token}/" in html
        other = mails[(dinkes if person == kapus else kapus).email]
        assert token not in other.body
        assert client.get(mail.body.split("\n")[-1].strip()).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_in_app_and_whatsapp_share_text_of_a_ladder_reminder_carry_no_token(
    commitment, reminder_settings, mailbox
):
    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
    rows = Notification.objects.of_rule("commitment_due", "h-7")
    assert all("one_tap_url" not in row.context for row in rows.filter(channel="inapp"))
    rows.update(send_at=timezone.now(), due_at=timezone.now())

    engine.dispatch()

    sent = list(rows.filter(state=State.SENT))
    assert {row.channel for row in sent} == {"email", "inapp"} and len(sent) == 4
    for row in sent:
        assert "/quick/" not in row.share_text and "quick" not in row.wa_link()
        assert row.share_text.endswith(commitment.get_absolute_url())
    for row in sent:
        if row.channel == "inapp":
            assert "/quick/" not in row.body and "/quick/" not in row.url


def test_a_digest_reader_finds_their_own_one_tap_progress_link_in_the_digest(
    commitment, reminder_settings, mailbox, dinkes
):
    from meetings.links import read_progress_token

    dinkes.notification_digest = True
    dinkes.save()
    reminder_settings.digest_time = time(0, 0)
    reminder_settings.save()
    rules.scan(now=wita(commitment.due_date - timedelta(days=8), 9))
    Notification.objects.of_rule("commitment_due", "h-7").update(
        send_at=timezone.now(), due_at=timezone.now()
    )
    engine.dispatch()  # the PIC's mail goes out; the digest reader's waits

    assert engine.send_digests() == 1
    engine.dispatch()

    (digest,) = [m for m in mailbox if m.to == [dinkes.email]]
    token = digest.body.split("/quick/")[1].split("/")[0]
    assert read_progress_token(token, commitment.pk) == (commitment, dinkes)
    assert f"/quick/{token}/" in digest.alternatives[0][0]


def one_tap_tokens(text: str) -> list[str]:
    return [part.split("/")[0] for part in text.split("/quick/")[1:]]


def test_the_new_commitments_email_carries_each_persons_own_one_tap_links_and_the_share_text_none(
    demo, rakor, commitment, reminder_settings, mailbox, kapus, dinkes, client
):
    from meetings.links import PROGRESS_ACTION
    from meetings.models import Minutes
    from portal.tokens import default_token_generator

    second = Commitment.objects.create(
        meeting=rakor,
        description="Sanitasi desa",
        owner=demo.orgs["dinkes"],
        pic=kapus,
        due_date=commitment.due_date,
    )
    Minutes.objects.create(meeting=rakor, status=Minutes.Status.APPROVED, approved_at=timezone.now())
    rules.scan()
    rows = Notification.objects.of_rule("meeting_commitments", rakor.pk)
    assert all(
        "one_tap_url" not in item for row in rows.filter(channel="inapp") for item in row.context["items"]
    )

    engine.dispatch()

    mails = {m.to[0]: m for m in mailbox}
    assert set(mails) == {kapus.email, dinkes.email}
    seen = set()
    for person in (kapus, dinkes):
        mail = mails[person.email]
        tokens = one_tap_tokens(mail.body)
        assert len(tokens) == 2
        assert {default_token_generator.check_token(token, action=PROGRESS_ACTION) for token in tokens} == {
            (person, commitment),
            (person, second),
        }
        assert one_tap_tokens(mail.alternatives[0][0]) == tokens
        assert not seen & set(tokens)
        seen |= set(tokens)
        url = next(line.split(": ", 1)[1] for line in mail.body.splitlines() if "/quick/" in line)
        assert client.get(url).status_code == 200
    assert "_auth_user_id" not in client.session
    sent = list(rows.filter(state=State.SENT))
    assert {row.channel for row in sent} == {"email", "inapp"} and len(sent) == 4
    for row in sent:
        assert "/quick/" not in row.share_text and "quick" not in row.wa_link()
        if row.channel == "inapp":
            assert "/quick/" not in row.body and "/quick/" not in row.url


def test_the_reopened_notice_emails_each_person_their_own_one_tap_link_and_shares_none(
    commitment, reminder_settings, mailbox, kapus, dinkes, notulis, client
):
    from meetings.commitments import services
    from meetings.links import read_progress_token

    from .factories import pdf_upload

    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])
    update = services.reopen(commitment=commitment, acting_user=notulis, reason="Foto buram")
    rows = Notification.objects.of_rule("commitment_reopened", update.pk)
    assert all("one_tap_url" not in row.context for row in rows.filter(channel="inapp"))
    mailbox.clear()

    engine.dispatch()

    mails = {m.to[0]: m for m in mailbox if "Foto buram" in m.body}
    assert set(mails) == {kapus.email, dinkes.email}
    tokens = {}
    for person in (kapus, dinkes):
        mail = mails[person.email]
        [token] = one_tap_tokens(mail.body)
        assert read_progress_token(token, commitment.pk) == (commitment, person)
        assert f"/quick/{token}/" in mail.alternatives[0][0]
        tokens[person.pk] = token
        assert client.get(mail.body.strip().splitlines()[-1].strip()).status_code == 200
    assert tokens[kapus.pk] != tokens[dinkes.pk]
    assert "_auth_user_id" not in client.session
    sent = list(rows.filter(state=State.SENT))
    assert {row.channel for row in sent} == {"email", "inapp"} and len(sent) == 4
    for row in sent:
        assert "/quick/" not in row.share_text and "quick" not in row.wa_link()
        if row.channel == "inapp":
            assert "/quick/" not in row.body and "/quick/" not in row.url


@pytest.mark.parametrize(
    ("rule", "view", "fragments"),
    [
        ("commitment_due:h-7:2026-01-05", "meetings:commitment-detail", ["#progress"]),
        (
            "meeting_reminder:h-1:2026-01-05",
            "meetings:meeting-detail",
            ["?answer=hadir#rsvp", "?answer=izin#rsvp"],
        ),
    ],
)
def test_the_in_app_buttons_open_the_source_by_its_stored_id(rule, view, fragments):
    from portal.notifications.actions import actions_for

    notification = Notification(rule=rule, source_id="4051", context={})

    urls = [action.url for action in actions_for(notification)]

    page = reverse(view, args=[4051])
    assert all(url.startswith(page) for url in urls)
    assert all(any(url == page + fragment for url in urls) for fragment in fragments)
