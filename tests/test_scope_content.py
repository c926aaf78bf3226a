"""Lists, exports, dashboard and admin changelists hold no row from outside the persona's scope:
checked on the content (the other kabupaten's titles and names are absent), not the status.

Uses the two-kabupaten world of the route matrix (Tapin and Banjar, tests/two_kabupaten.py).
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from portal.tests import job_helpers

from . import two_kabupaten as tk

pytestmark = [pytest.mark.postgres]

world = tk.world  # the module-scoped fixture

# Titles and names that exist only on one side.
MARKERS = {
    "tapin": ["Rakor TPPS TAPIN", "Komitmen TAPIN", "Pelatihan TAPIN", "SERT-TAPIN", "Muhammad Ridwan"],
    "banjar": ["Rakor TPPS BANJAR", "Komitmen BANJAR", "Pelatihan BANJAR", "SERT-BANJAR", "Camat BANJAR",
               "DPPKB Kabupaten BANJAR", "Aluh Aluh"],
}  # fmt: skip
# Whose side each persona is on (organiser and superuser see the whole province).
SIDE = {p: "tapin" for p in ("dppkb", "notulis", "camat_a", "camat_b", "kapus", "pkk", "opd")}
SIDE |= {"dppkb_banjar": "banjar", "notulis_banjar": "banjar"}
OTHER = {"tapin": "banjar", "banjar": "tapin"}
STAFF = ("dppkb", "notulis", "dppkb_banjar", "notulis_banjar")


@pytest.fixture
def w(world, db):
    return world


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return text_of_file(body, response.get("Content-Type", ""))


def text_of_file(body: bytes, kind: str = "") -> str:
    if "spreadsheet" in kind or body[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


def leaks(text: str, persona: str) -> list[str]:
    """Markers of the other side (or of both, for someone without a role) found in `text`."""
    if persona == "norole":
        forbidden = MARKERS["tapin"] + MARKERS["banjar"]
    else:
        forbidden = MARKERS[OTHER[SIDE[persona]]]
    return [marker for marker in forbidden if marker in text]


PAGES = [
    ("portal:dashboard", {}),
    ("meetings:index", {}),
    ("meetings:my-commitments", {}),
    ("meetings:my-calendar", {}),
    ("trainings:index", {}),
    ("portal:organisation-list", {}),
    ("portal:notification-list", {}),
    ("meetings:commitment-export-job", {"fmt": "xlsx"}),
    ("meetings:commitment-export-job", {"fmt": "csv"}),
]


def fetch(client, name: str, kwargs: dict):
    """A page (GET), or an export: POST it, run the job it queued as the worker would, download."""
    if "export" not in name:
        return client.get(reverse(name, kwargs=kwargs))
    response = client.post(reverse(name, kwargs=kwargs))
    if response.status_code != 302:
        return response
    job = job_helpers.run(response)
    return client.get(reverse("portal:job-download", args=[job.pk]))


@pytest.mark.parametrize("persona", [*SIDE, "norole"])
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[f"{n}-{k.get('fmt', '')}" for n, k in PAGES])
def test_lists_and_exports_show_nothing_from_outside_the_scope(w, persona, name, kwargs):
    response = fetch(w.clients[persona], name, kwargs)

    assert response.status_code in (200, 403, 404)
    assert leaks(text_of(response), persona) == []


@pytest.mark.parametrize(
    "name", ["trainings:enrollment-list", "trainings:export-participants", "trainings:export-attendance"]
)
@pytest.mark.parametrize("persona", ["dppkb", "dppkb_banjar"])
def test_a_provincial_training_shows_a_dppkb_admin_only_the_participants_of_their_kabupaten(w, persona, name):
    training = w.provincial_training
    kwargs = {"pk": training.pk}
    if name == "trainings:export-attendance":
        kwargs["session_pk"] = w.provincial_session.pk
    response = fetch(w.clients[persona], name, kwargs)
    if name == "trainings:export-attendance":
        # Attendance sheets are the organiser's: a DPPKB admin is refused outright.
        assert response.status_code in (403, 404)
        return
    text = text_of(response)

    assert response.status_code == 200
    assert leaks(text, persona) == []
    own_camat = "Muhammad Ridwan" if persona == "dppkb" else "Camat BANJAR"
    assert own_camat in text


def test_the_organiser_sees_both_kabupaten_in_the_participants_export(w):
    response = fetch(
        w.clients["organiser"], "trainings:export-participants", {"pk": w.provincial_training.pk}
    )

    text = text_of(response)
    assert "Muhammad Ridwan" in text and "Camat BANJAR" in text


def test_the_superuser_sees_both_kabupaten_so_the_markers_are_on_the_pages(w):
    text = text_of(w.clients["superuser"].get(reverse("admin:meetings_meeting_changelist")))

    assert "Rakor TPPS TAPIN" in text and "Rakor TPPS BANJAR" in text


def test_dashboard_figures_count_only_the_persona_s_kabupaten(w):
    """The dashboard's open-commitment figure of each DPPKB admin counts one commitment: their own."""
    from meetings.commitments.models import Commitment

    for persona, side in (("dppkb", "tapin"), ("dppkb_banjar", "banjar")):
        response = w.clients[persona].get(reverse("portal:dashboard"))
        html = text_of(response)
        assert leaks(html, persona) == []
        visible = Commitment.objects.visible_to(w.users[persona])
        assert list(visible.values_list("pk", flat=True)) == [w[side].commitment.pk]


ADMIN_CHANGELISTS = [
    "portal_region",
    "portal_organisation",
    "portal_user",
    "portal_notification",
    "meetings_meeting",
    "meetings_commitment",
    "meetings_minutes",
    "meetings_meetingdocument",
    "trainings_training",
    "trainings_enrollment",
    "trainings_session",
    "trainings_attendance",
]


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize("model", ADMIN_CHANGELISTS)
def test_admin_changelists_show_nothing_from_the_other_kabupaten(w, persona, model):
    response = w.clients[persona].get(reverse(f"admin:{model}_changelist"))

    assert response.status_code in (200, 403)
    assert leaks(text_of(response), persona) == []


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("portal_region", ["code", "name", "level", "parent_code"]),
        ("portal_organisation", ["id", "name", "short_name", "kind", "region"]),
        ("meetings_commitment", ["id", "meeting", "meeting_title", "description", "owner", "pic", "status"]),
    ],
)
def test_admin_exports_hold_nothing_from_the_other_kabupaten(w, persona, model, fields):
    resource = {
        "portal_region": "regionresource",
        "portal_organisation": "organisationresource",
        "meetings_commitment": "commitmentresource",
    }[model]
    data = {"format": "0", "resource": "0", "export_items": []}
    data |= {f"{resource}_{field}": True for field in fields}
    client = w.clients[persona]
    response = client.post(reverse(f"admin:{model}_export"), data)

    assert response.status_code in (302, 403)
    if response.status_code == 302:  # queued as a job: read the file the person downloads
        text = text_of_file(job_helpers.download(client, response))
        assert text.strip()
    else:
        text = text_of(response)
    assert leaks(text, persona) == []


@pytest.mark.parametrize("persona", STAFF)
def test_admin_autocomplete_offers_only_regions_in_scope(w, persona):
    response = w.clients[persona].get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "organisation", "field_name": "region", "term": ""},
    )

    codes = {result["id"] for result in response.json()["results"]}
    own, other = ("63.05", "63.03") if SIDE[persona] == "tapin" else ("63.03", "63.05")
    if persona.startswith("dppkb"):  # the DPPKB admin edits organisations; a notulis gets no choices
        assert own in codes
    assert not any(code == other or code.startswith(other + ".") for code in codes)
