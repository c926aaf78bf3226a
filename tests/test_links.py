"""Every app's links by id (get_absolute_url, notification actions, admin rows) through
portal.links.reverse_pk are the URLs reverse() gives."""

import pytest
from django.urls import reverse

from portal.links import reverse_pk


@pytest.mark.parametrize(
    "viewname",
    [
        "meetings:meeting-detail",
        "meetings:commitment-detail",
        "trainings:training-detail",
        "audits:round-detail",
        "audits:case-detail",
        "audits:recommendation-detail",
        "admin:meetings_commitment_change",
        "admin:meetings_meeting_change",
        "admin:trainings_enrollment_change",
    ],
)
@pytest.mark.parametrize("pk", [1, 10, 4051, 7_391_346_128])
def test_an_apps_link_is_the_one_reverse_gives(viewname, pk):
    assert reverse_pk(viewname, pk) == reverse(viewname, args=[pk])
