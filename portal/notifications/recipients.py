"""Who receives what, for many sources at once: the scan's rules resolve their recipients
here in a few queries per rule instead of a few per source. The same answers as the
per-object methods (`Organisation.contacts()`, role holders of a region)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..models import Organisation, RoleAssignment, User
from ..roles import Role

# What a reminder needs of its recipient (`rules._want`, the row's recipient_id): the scan
# loads tens of thousands of people a beat, and a full User is most of its Python time.
RECIPIENT_FIELDS = ("id", "email", "is_active")


def _recipient(relation: str) -> list[str]:
    """RECIPIENT_FIELDS of a related person, for `only()`."""
    return [f"{relation}__{name}" for name in RECIPIENT_FIELDS]


def contacts_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """`Organisation.contacts()` of each organisation: its head first, then its focal points."""
    ids = set(organisation_ids) - {None}
    people: dict[int, list[User]] = defaultdict(list)
    if not ids:
        return people
    heads = (
        Organisation.objects.filter(pk__in=ids).select_related("head").only("id", "head", *_recipient("head"))
    )
    for org in heads:
        if org.head_id:
            people[org.pk].append(org.head)
    focal = (
        RoleAssignment.objects.filter(role=Role.OPD_FOCAL, organisation_id__in=ids, user__is_active=True)
        .select_related("user")
        .only("organisation", "user", *_recipient("user"))
    )
    for assignment in focal.order_by("user_id"):
        if assignment.user not in people[assignment.organisation_id]:
            people[assignment.organisation_id].append(assignment.user)
    return people


def role_holders(roles: Iterable[str], region_ids: Iterable[str]) -> dict[str, list[User]]:
    """Active people holding one of `roles` in each region (exactly that region)."""
    ids = set(region_ids) - {None}
    people: dict[str, list[User]] = defaultdict(list)
    if not ids:
        return people
    assignments = (
        RoleAssignment.objects.filter(role__in=list(roles), region_id__in=ids, user__is_active=True)
        .select_related("user")
        .only("region", "user", *_recipient("user"))
    )
    for assignment in assignments.order_by("user_id"):
        if assignment.user not in people[assignment.region_id]:
            people[assignment.region_id].append(assignment.user)
    return people
