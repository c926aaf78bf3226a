"""A meeting or an organisation that moves takes its commitments' region copies along."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.models import Organisation

from ..models import Meeting
from . import services


@receiver(post_save, sender=Meeting, dispatch_uid="commitments_follow_meeting_region")
def meeting_saved(sender, instance: Meeting, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        services.follow_region(meeting=instance)


@receiver(post_save, sender=Organisation, dispatch_uid="commitments_follow_owner_region")
def organisation_saved(sender, instance: Organisation, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        services.follow_region(organisation=instance)
