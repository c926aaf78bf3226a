"""The dispatcher against a real SMTP server (aiosmtpd in this process): statements per batch,
never a second send, retries; the e-mails written by `portal.mail`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import tokens
from portal.models import Notification, Organisation, Region
from portal.notifications import engine, notify, rules

State = Notification.State
EMAIL, INAPP = Notification.Channel.EMAIL, Notification.Channel.INAPP

ACTION = tokens.register(
    tokens.OneTapAction(
        "test.dispatch", "portal.Organisation", timedelta(days=7), lambda org, t: f"/x/{org.pk}/{t}/"
    )
)


class HeadRule(rules.ReminderRule):
    """Reminds an organisation's head while they are its head. `still_wanted` reads what
    `prepare` loaded, or asks the database for its row when nothing was prepared."""

    name = "test_message"
    model = "portal.Organisation"

    def prepare(self, orgs, now, cfg):
        heads = dict(Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list("pk", "head_id"))
        for org in orgs:
            org.prepared_head_id = heads[org.pk]

    def still_wanted(self, notification, org):
        head_id = getattr(org, "prepared_head_id", None)
        if head_id is None:
            head_id = Organisation.objects.values_list("head_id", flat=True).get(pk=org.pk)
        return notification.recipient_id == head_id


@pytest.fixture
def head_rule():
    rules.register(HeadRule)
    yield HeadRule
    rules.unregister(HeadRule.name)


def _heads(person, count: int, start: int = 0) -> list[Organisation]:
    region = Region.objects.get_or_create(code="63", defaults={"name": "Kalsel", "level": "provinsi"})[0]
    orgs = []
    for n in range(start, start + count):
        head = person(f"head{n}", language="en" if n % 2 else "id")
        org = Organisation.objects.create(name=f"Dinas {n}", kind="opd", region=region, head=head)
        notify(
            rule=f"test_message:{n}",
            recipients=[head],
            source=org,
            context={"url": "/notifications/", "one_tap_url": tokens.one_tap_link(ACTION.name, org)},
        )
        orgs.append(org)
    return orgs


def _dispatch_statements() -> int:
    with CaptureQueriesContext(connection) as queries:
        engine.dispatch()
    return len(queries)


def test_dispatching_more_messages_adds_one_statement_per_email_and_none_per_in_app_row(
    person, reminder_settings, head_rule, smtp
):
    _heads(person, 2)
    few = _dispatch_statements()
    _heads(person, 10, start=2)
    many = _dispatch_statements()

    assert Notification.objects.filter(state=State.SENT).count() == 24
    assert len(smtp.messages) == 12
    # Sources, rules' data, one-tap links and in-app rows: per batch. Each e-mail: its mark-sent
    # only, committed before the next e-mail goes out.
    assert many - few == 10 - 2


def test_the_one_tap_links_of_a_batch_are_read_in_one_query_and_each_is_the_persons_own(
    person, reminder_settings, django_assert_num_queries
):
    orgs = _heads(person, 3)
    rows = list(Notification.objects.filter(channel=EMAIL).select_related("recipient"))

    with django_assert_num_queries(1):
        objects = tokens.link_objects(row.context for row in rows)
    with django_assert_num_queries(0):
        links = {row.recipient: tokens.resolve_links(row.context, row.recipient, objects) for row in rows}

    for org in orgs:
        token = links[org.head]["one_tap_url"].rstrip("/").rsplit("/", 1)[1]
        assert tokens.default_token_generator.check_token(token, action=ACTION.name) == (org.head, org)
    row = next(row for row in rows if row.recipient == orgs[0].head)
    Organisation.objects.filter(pk=orgs[0].pk).delete()
    gone = tokens.link_objects([row.context])
    assert tokens.resolve_links(row.context, row.recipient, gone)["one_tap_url"] == ""


def test_a_reminder_its_source_no_longer_wants_is_cancelled_not_sent(
    person, reminder_settings, head_rule, smtp
):
    (org,) = _heads(person, 1)
    Organisation.objects.filter(pk=org.pk).update(head=person("other"))

    assert engine.dispatch() == 0
    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}
    assert smtp.messages == []


def test_a_second_dispatch_sends_nothing_again(person, reminder_settings, smtp):
    people = [person(f"p{n}") for n in range(7)]
    notify(rule="test_message", recipients=people)

    assert engine.dispatch(batch_size=3) == 14
    assert engine.dispatch(batch_size=3) == 0
    assert engine.deliver_many(list(Notification.objects.values_list("pk", flat=True))) == 0

    ids = smtp.notification_ids()
    assert sorted(ids) == sorted(
        str(pk) for pk in Notification.objects.filter(channel=EMAIL).values_list("pk", flat=True)
    )
    assert Notification.objects.filter(state=State.SENT, attempts=1).count() == 14


def test_a_row_claimed_by_another_dispatcher_is_not_sent_by_this_one(person, reminder_settings, smtp):
    notify(rule="test_message", recipients=[person("ani"), person("budi")], channels=[EMAIL])
    taken = engine.claim(timezone.now(), reminder_settings)  # another worker, mid-send

    assert engine.dispatch() == 1
    assert smtp.notification_ids() == [str(Notification.objects.exclude(pk=taken.pk).get().pk)]
    taken.refresh_from_db()
    assert taken.state == State.SENDING


def test_a_row_that_falls_due_behind_the_last_claim_is_sent_in_the_same_run(
    person, reminder_settings, smtp, monkeypatch
):
    notify(rule="test_message:late", recipients=[person("ani")], channels=[EMAIL])
    notify(rule="test_message:early", recipients=[person("budi")], channels=[EMAIL])
    late, early = Notification.objects.order_by("pk")
    Notification.objects.filter(pk=early.pk).update(send_at=timezone.now() + timedelta(hours=1))
    original = engine.claim_batch

    def claim_then_early_falls_due(*args, **kwargs):
        claimed = original(*args, **kwargs)
        # After the first claim: a row due before the position it stopped at.
        Notification.objects.filter(pk=early.pk).update(send_at=late.send_at - timedelta(minutes=1))
        return claimed

    monkeypatch.setattr(engine, "claim_batch", claim_then_early_falls_due)
    assert engine.dispatch(batch_size=1) == 2
    assert sorted(smtp.notification_ids()) == sorted([str(late.pk), str(early.pk)])


def test_a_refused_email_is_retried_with_backoff_and_then_sent_once(person, reminder_settings, smtp):
    notify(rule="test_message", recipients=[person("ani"), person("budi")], channels=[EMAIL])
    smtp.mode = "refuse"

    before = timezone.now()
    assert engine.dispatch() == 0
    rows = list(Notification.objects.all())
    assert {(r.state, r.attempts) for r in rows} == {(State.SCHEDULED, 1)}
    assert all("refused" in r.last_error for r in rows)
    assert all(timedelta(seconds=59) < r.send_at - before < timedelta(seconds=70) for r in rows)
    assert smtp.messages == []

    smtp.mode = "accept"
    Notification.objects.update(send_at=timezone.now())
    assert engine.dispatch() == 2
    assert {(r.state, r.attempts, r.last_error) for r in Notification.objects.all()} == {(State.SENT, 2, "")}
    assert len(smtp.messages) == 2


def test_the_email_received_has_the_text_and_html_parts_in_the_recipients_language(
    person, reminder_settings, smtp
):
    notify(rule="test_message", recipients=[person("ani", language="id")], channels=[EMAIL])

    engine.dispatch()

    (message,) = smtp.messages
    row = Notification.objects.get()
    assert message["Subject"] == "Portal TPPS: pesan uji" == row.title
    assert message["Message-ID"] == row.provider_message_id
    assert message["From"] == "Portal TPPS <noreply@portal-tpps.local>"
    text, html = message.get_payload()
    assert text.get_content_type() == "text/plain" and "Halo Ani" in text.get_payload(decode=True).decode()
    assert html.get_content_type() == "text/html" and "Halo Ani" in html.get_payload(decode=True).decode()


def test_a_message_that_cannot_be_rendered_is_retried_and_the_rest_of_the_batch_goes_out(
    person, reminder_settings, smtp
):
    ani, budi = person("ani"), person("budi")
    notify(rule="no_such_message", recipients=[ani])  # no template: both channels fail to render
    notify(rule="test_message", recipients=[budi])

    assert engine.dispatch() == 2

    broken = Notification.objects.filter(recipient=ani)
    assert {(r.state, r.attempts) for r in broken} == {(State.SCHEDULED, 1)}
    assert all("TemplateDoesNotExist" in r.last_error for r in broken)
    assert set(Notification.objects.filter(recipient=budi).values_list("state", flat=True)) == {State.SENT}
    assert [m["To"] for m in smtp.messages] == ["budi@example.org"]
