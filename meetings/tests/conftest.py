import pytest

# The real worker, SMTP server and people of the reminder engine's integration tests.
from portal.tests.conftest import celery_workers, person, smtp_server  # noqa: F401

from .factories import MeetingFactory


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploads land in a throw-away private folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture
def tapin_utara_rakor(demo):
    """The kecamatan rakor of Tapin Utara: camat.binuang must never reach it."""
    meeting = MeetingFactory(title="Rakor TPPS Kecamatan Tapin Utara", region_id="63.05.04")
    meeting.organisers.set([demo.orgs["tpps_tapinutara"]])
    meeting.agenda_items.create(order=1, title="Review tindak lanjut", presenter="Sekcam")
    return meeting


@pytest.fixture
def kabupaten_rakor(demo, dppkb):
    meeting = MeetingFactory(title="Rakor TPPS Kabupaten Tapin", region_id="63.05", chair=dppkb)
    meeting.organisers.set([demo.orgs["tpps"], demo.orgs["dppkb"]])
    return meeting
