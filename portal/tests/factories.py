"""Factories of the core's models, shared by every app's tests."""

from __future__ import annotations

from portal.models import Region, RoleAssignment, User
from portal.roles import Role


def person(username: str, role: str = Role.CAMAT, region: str = "63.05.02", **extra) -> User:
    """An official holding `role` in `region` (creates the kecamatan if the sample lacks it)."""
    if not Region.objects.filter(code=region).exists():
        parent = region.rsplit(".", 1)[0]
        Region.objects.get_or_create(
            code=parent, defaults={"name": f"Kab. {parent}", "level": "kabupaten", "parent_id": "63"}
        )
        Region.objects.create(code=region, name=f"Kecamatan {region}", level="kecamatan", parent_id=parent)
    user = User.objects.create_user(
        username, password="tapin2024", full_name=extra.pop("full_name", username.title()), **extra
    )
    RoleAssignment.objects.create(user=user, role=role, region_id=region)
    user.sync_groups_and_staff()
    return user
