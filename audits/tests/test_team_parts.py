"""A person's parts in audit teams (AuditRound.team_parts): read once per request, kept between
requests with their rights, and every team change shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import services
from audits.models import AuditTeamMember
from audits.navigation import in_audit_team
from portal.models import User

from .factories import make_round

pytestmark = pytest.mark.django_db

PAKAR, TEKNIS = AuditTeamMember.Part.TIM_PAKAR, AuditTeamMember.Part.TIM_TEKNIS


def team_queries(check) -> int:
    with CaptureQueriesContext(connection) as ctx:
        check()
    return sum('FROM "audits_auditteammember"' in q["sql"] for q in ctx.captured_queries)


def fresh(user) -> User:
    """The user as the next request loads them (request.user is rebuilt every request)."""
    return User.objects.get(pk=user.pk)


def test_team_parts_are_the_parts_held_in_that_round_only(dppkb, pakar, teknis):
    first = make_round(dppkb, pakar=pakar, teknis=teknis)
    second = make_round(dppkb, teknis=pakar, year=2025)

    assert first.team_parts(fresh(pakar)) == {PAKAR}
    assert second.team_parts(fresh(pakar)) == {TEKNIS}
    assert first.team_parts(fresh(dppkb)) == frozenset()
    assert first.is_team_member(fresh(pakar), PAKAR) and not first.is_team_member(fresh(pakar), TEKNIS)
    assert first.can_review(fresh(pakar)) and not second.can_review(fresh(pakar))
    assert in_audit_team(fresh(pakar)) and not in_audit_team(fresh(dppkb))


@pytest.mark.parametrize("seconds", [0, 300])
def test_every_check_of_a_request_reads_the_team_once(dppkb, pakar, teknis, settings, seconds):
    settings.USER_CACHE_SECONDS = seconds
    rounds = [make_round(dppkb, pakar=pakar, teknis=teknis, year=year) for year in (2024, 2025, 2026)]
    user = fresh(pakar)
    user.get_all_permissions()

    def every_check():
        for audit_round in rounds:
            audit_round.can_review(user)
            audit_round.can_recommend(user)
            audit_round.can_evaluate(user)
            audit_round.can_see_identities(user)
        in_audit_team(user)

    assert team_queries(every_check) == 1
    assert team_queries(every_check) == 0


def test_the_next_request_reads_the_team_from_the_cache(dppkb, pakar):
    audit_round = make_round(dppkb, pakar=pakar)
    assert audit_round.is_team_member(fresh(pakar))

    assert team_queries(lambda: audit_round.is_team_member(fresh(pakar))) == 0


def test_a_team_change_shows_at_once_even_in_the_same_request(dppkb, pakar, notulis):
    audit_round = make_round(dppkb, pakar=pakar)
    user = fresh(notulis)
    assert not audit_round.is_team_member(user)

    member = services.add_team_member(audit_round=audit_round, user=notulis, part=TEKNIS, acting_user=dppkb)
    assert audit_round.team_parts(user) == {TEKNIS}
    assert audit_round.team_parts(fresh(notulis)) == {TEKNIS}

    AuditTeamMember.objects.filter(pk=member.pk).update(part=PAKAR)  # a bulk write
    assert audit_round.team_parts(user) == {PAKAR}
    assert audit_round.team_parts(fresh(notulis)) == {PAKAR}

    AuditTeamMember.objects.filter(pk=member.pk).delete()
    assert not audit_round.is_team_member(user)
    assert not in_audit_team(fresh(notulis))
