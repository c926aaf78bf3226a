"""A meeting that moves to another region takes its invitations' region copies along."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Invitation, Meeting


@receiver(post_save, sender=Meeting, dispatch_uid="invitations_follow_meeting_region")
def meeting_saved(sender, instance: Meeting, created: bool, raw: bool = False, **kwargs) -> None:
    """Keep Invitation.meeting_region (read by Meeting.visible_to) in step; every other write
    sets it in Invitation.save or InvitationQuerySet.bulk_create."""
    if not created and not raw:
        moved = Invitation.objects.filter(meeting=instance).exclude(meeting_region_id=instance.region_id)
        moved.update(meeting_region_id=instance.region_id)
