"""Reminders before the stage deadlines of an AKS round: who, when, once and only once, and
gone once the round moves past the stage or the deadline moves."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from audits.models import AuditRound
from portal.models import Notification
from portal.notifications import engine, notify, rules
from portal.notifications.rendering import render

State = Notification.State
WITA = timezone.get_default_timezone()
pytestmark = pytest.mark.django_db


def wita(day, hour=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), WITA)


def scheduled(deadline: str | None = None) -> dict[str, set]:
    """{stage: {(username, local send time)}} of the pending email rows."""
    rows = Notification.objects.filter(
        state=State.SCHEDULED, channel="email", rule__startswith="audit_stage_due:"
    )
    out: dict[str, set] = {}
    for row in rows.select_related("recipient"):
        _name, key, stage, _date = row.rule.split(":")
        if deadline in (None, key):
            out.setdefault(stage, set()).add((row.recipient.username, timezone.localtime(row.send_at)))
    return out


@pytest.fixture
def deadlines(audit_round, pakar):
    pakar.email = "pakar@example.org"
    pakar.save()
    today = timezone.localdate()
    AuditRound.objects.filter(pk=audit_round.pk).update(
        visits_due=today + timedelta(days=10),
        review_due=today + timedelta(days=40),
        evaluation_due=today + timedelta(days=200),
    )
    audit_round.refresh_from_db()
    return audit_round


def test_the_visits_deadline_reminds_the_tim_teknis_and_the_dppkb_admin(deadlines, reminder_settings):
    due = deadlines.visits_due
    rules.scan(now=wita(due - timedelta(days=8), 9))
    people = {"kapus.tapinutara", "dppkb"}
    assert scheduled("visits") == {
        "h-7": {(u, wita(due - timedelta(days=7), 8)) for u in people},
        "h-1": {(u, wita(due - timedelta(days=1), 8)) for u in people},
        "overdue": {(u, wita(due + timedelta(days=1), 8)) for u in people},
    }
    review = scheduled("review")
    assert {u for stage in review.values() for u, _when in stage} == {"pakar", "dppkb"}


def test_the_review_deadline_reminds_the_tim_pakar(deadlines, reminder_settings):
    due = deadlines.review_due
    rules.scan(now=wita(due - timedelta(days=3), 9))
    assert {u for u, _when in scheduled("review")["h-1"]} == {"pakar", "dppkb"}
    assert set(scheduled("review")) == {"h-1", "overdue"}  # h-7 is long past: never created


def test_scanning_again_stores_nothing_twice(deadlines, reminder_settings):
    moment = wita(deadlines.visits_due - timedelta(days=8), 9)
    rules.scan(now=moment)
    count = Notification.objects.count()
    rules.scan(now=moment)
    rules.scan(now=moment + timedelta(hours=3))
    assert Notification.objects.count() == count


def test_lead_times_are_the_admins_reminder_options(deadlines, reminder_settings, set_reminder_option):
    set_reminder_option("audits", "stage_lead_days", "14,3")
    set_reminder_option("audits", "stage_overdue_days", 2)
    due = deadlines.visits_due
    rules.scan(now=wita(due - timedelta(days=9), 9))
    assert set(scheduled("visits")) == {"h-3", "overdue"}
    assert {when.date() for _u, when in scheduled("visits")["overdue"]} == {due + timedelta(days=2)}


def test_once_the_visits_are_done_their_reminders_are_cancelled(deadlines, reminder_settings):
    moment = wita(deadlines.visits_due - timedelta(days=8), 9)
    rules.scan(now=moment)
    AuditRound.objects.filter(pk=deadlines.pk).update(stage=AuditRound.Stage.KAJIAN)
    rules.scan(now=moment)
    assert scheduled("visits") == {}
    assert Notification.objects.filter(
        rule__startswith="audit_stage_due:visits", state=State.CANCELLED
    ).exists()


def test_a_moved_deadline_gets_a_fresh_ladder(deadlines, reminder_settings):
    old = deadlines.visits_due
    rules.scan(now=wita(old - timedelta(days=8), 9))
    new = old + timedelta(days=5)
    AuditRound.objects.filter(pk=deadlines.pk).update(visits_due=new)
    rules.scan(now=wita(old - timedelta(days=8), 9))
    rules_pending = set(
        Notification.objects.filter(
            state=State.SCHEDULED, rule__startswith="audit_stage_due:visits"
        ).values_list("rule", flat=True)
    )
    assert rules_pending and all(rule.endswith(new.isoformat()) for rule in rules_pending)
    assert Notification.objects.filter(rule__endswith=old.isoformat(), state=State.CANCELLED).exists()


def test_an_overdue_reminder_is_sent_once_and_only_once(deadlines, reminder_settings, mailbox, dppkb, kapus):
    kapus.language = "en"
    kapus.save()
    # The overdue stage falls an hour ago: due yesterday (by the overdue delay), sent at that time.
    sent_at = timezone.localtime() - timedelta(hours=1)
    reminder_settings.send_time = sent_at.time().replace(second=0, microsecond=0)
    reminder_settings.save()
    due = sent_at.date() - timedelta(days=1)
    AuditRound.objects.filter(pk=deadlines.pk).update(visits_due=due)

    rules.scan()
    engine.dispatch(budget_seconds=10)
    rules.scan()
    engine.dispatch(budget_seconds=10)

    subjects = sorted((message.to[0], message.subject) for message in mailbox)
    assert [to for to, _subject in subjects] == [dppkb.email, kapus.email]
    by_person = dict(subjects)
    assert by_person[kapus.email].startswith("Overdue: home visits and KKA")
    assert by_person[dppkb.email].startswith("Terlambat: kunjungan rumah dan KKA")
    assert Notification.objects.filter(rule__contains=":visits:overdue:", state=State.SENT).count() == 4


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    ("deadline", "stage", "days"),
    [("visits", "before", 7), ("review", "before", 0), ("evaluation", "overdue", 1)],
)
def test_the_messages_render_from_a_real_round_in_both_languages(
    deadlines, dppkb, language, deadline, stage, days
):
    dppkb.language = language
    dppkb.save()
    field = {"visits": "visits_due", "review": "review_due", "evaluation": "evaluation_due"}[deadline]
    due = getattr(deadlines, field)
    [row, *_] = notify(
        rule=f"audit_stage_due:{deadline}:{stage}:{due.isoformat()}",
        recipients=[dppkb],
        source=deadlines,
        context={"deadline": deadline, "due_date": due.isoformat(), "stage": stage, "days": days},
        send_at=timezone.now() + timedelta(days=1),
        channels=[Notification.Channel.EMAIL],
    )
    rendered = render(row)
    assert str(deadlines) in rendered.subject and "Rahmawati" in rendered.text
    assert rendered.url.endswith(deadlines.get_absolute_url())
    assert "<a href=" in rendered.html
    words = {
        "id": {"visits": "kunjungan rumah", "review": "kajian", "evaluation": "evaluasi RTL"},
        "en": {
            "visits": "home visits",
            "review": "expert review",
            "evaluation": "evaluation of the follow-up",
        },
    }
    assert words[language][deadline] in rendered.subject
    if stage == "overdue":
        assert ("Overdue" if language == "en" else "Terlambat") in rendered.subject
    elif days == 0:
        assert ("Due today" if language == "en" else "hari ini") in rendered.subject
