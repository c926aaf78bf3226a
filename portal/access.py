"""Object access: one helper per resource. 404 outside the user's scope, 403 inside it
without write rights. Views never fetch region-bound objects any other way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Organisation, Region


def get_for_user(manager, user, *, write: bool = False, **lookup):
    obj = get_object_or_404(manager.visible_to(user), **lookup)
    if write and not obj.can_change(user):
        raise PermissionDenied
    return obj


def get_region_for_user(user, code: str) -> Region:
    return get_for_user(Region.objects, user, code=code)


def get_organisation_for_user(user, pk: int, *, write: bool = False) -> Organisation:
    return get_for_user(Organisation.objects, user, write=write, pk=pk)
