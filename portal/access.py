"""Object access: one helper per resource. 404 outside the user's scope, 403 inside it
without write rights. Views never fetch region-bound objects any other way."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Organisation, Region, User, region_q


def get_for_user(manager, user, *, write: bool = False, **lookup):
    obj = get_object_or_404(manager.visible_to(user), **lookup)
    if write and not obj.can_change(user):
        raise PermissionDenied
    return obj


def get_region_for_user(user, code: str) -> Region:
    return get_for_user(Region.objects, user, code=code)


def get_organisation_for_user(user, pk: int, *, write: bool = False) -> Organisation:
    return get_for_user(Organisation.objects, user, write=write, pk=pk)


def acts_in(user, region: Region, roles: Iterable[str]) -> bool:
    """May the user act in `region` through one of `roles` held there or above it? The one answer
    to "may this user write here" for region-bound objects; superusers always may."""
    if user.is_superuser:
        return True
    return any(region.is_within(code) for code in user.scope_codes(roles=roles))


def people_in_scope(user) -> QuerySet[User]:
    """The people a user may see, pick or manage: role holders in their regions and members of
    the organisations they see (everyone, for a superuser)."""
    if user.is_superuser:
        return User.objects.all()
    holders = User.objects.filter(region_q(user.scope_codes(), "roles__region_id")).values("pk")
    members = Q(organisation__in=Organisation.objects.visible_to(user))
    return User.objects.filter(Q(pk__in=holders) | members)
