"""Django admin speaks Indonesian too: the import/export pages of django-import-export (which
ships no Indonesian) and the history list, where an empty change reason is never "None"."""

from __future__ import annotations

from django.urls import reverse

from .factories import CommitmentFactory


def test_the_import_and_export_pages_are_in_indonesian(client, notulis):
    client.force_login(notulis)
    page = client.get(reverse("admin:meetings_commitment_import")).content.decode()
    assert "Berkas yang diimpor" in page and "File to import" not in page
    assert "Kirim" in page or "Impor" in page
    listing = client.get(reverse("admin:meetings_commitment_changelist")).content.decode()
    assert ">Impor<" in listing.replace("\n", "").replace(" ", "") or "Impor" in listing
    assert ">Import<" not in listing.replace(" ", "")
    page = client.get(reverse("admin:meetings_commitment_export")).content.decode()
    assert "Format" in page and "Submit" not in page


def test_the_history_list_never_shows_none(client, notulis, demo):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    commitment.description = "Perubahan tanpa alasan"
    commitment.save()  # a history row without a change reason
    client.force_login(notulis)
    page = client.get(reverse("admin:meetings_commitment_history", args=[commitment.pk])).content.decode()
    assert "Alasan perubahan" in page
    body = page.split('id="change-history"')[1].split("</table>")[0]
    assert "None" not in body, [line for line in body.splitlines() if "None" in line]
