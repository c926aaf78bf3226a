"""Browser journey: the secretariat records RTL in Django admin, the OPD focal point
follows them up from a phone."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Commitment, Evidence

from .factories import MeetingFactory, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notulis_records_two_commitments_in_admin_and_dinkes_posts_progress_with_a_photo(
    page, live_server, demo, browser_login, a11y
):
    meeting = MeetingFactory(held=True, title="Rakor Evaluasi Hasil AKS Semester I")
    dinkes_org, dinkes = demo.orgs["dinkes"], demo.users["dinkes"]
    due = timezone.localdate() + dt.timedelta(days=20)

    # The secretariat works at a desk: admin at desktop width.
    browser_login(page, "notulis")
    page.set_viewport_size({"width": 1280, "height": 900})
    for description, action in [
        ("Pemberian TTD untuk remaja putri di 10 sekolah", "_addanother"),
        ("PMT lokal untuk 120 balita gizi kurang", "_save"),
    ]:
        page.goto("/admin/meetings/commitment/add/")
        # Django admin pages are exempted from axe: Django's own breadcrumbs fail
        # link-in-text-block (links told apart by colour only). The portal pages are checked.
        page.select_option("select[name=meeting]", str(meeting.pk))
        page.fill("textarea[name=description]", description)
        page.select_option("select[name=intervention_type]", "spesifik")
        page.select_option("select[name=owner]", str(dinkes_org.pk))
        page.select_option("select[name=pic]", str(dinkes.pk))
        page.fill("input[name=due_date]", due.isoformat())
        page.click(f"input[name={action}]")
        page.wait_for_load_state()
        assert page.locator(".errornote").count() == 0
    page.wait_for_url("**/admin/meetings/commitment/")
    assert Commitment.objects.filter(meeting=meeting, owner=dinkes_org).count() == 2

    # The OPD focal point, on a phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 740})
    browser_login(page, "dinkes")
    page.click("button.navbar-toggler")
    page.click("a.nav-link[href='/meetings/commitments/mine/']")
    page.wait_for_url("**/commitments/mine/")
    a11y(page)
    cards = page.locator("[data-testid=commitment-card]")
    assert cards.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("text=PMT lokal untuk 120 balita gizi kurang")
    page.wait_for_url("**/commitments/*/")
    a11y(page)
    page.fill("textarea[name=note]", "PMT tahap 1 dibagikan di 4 posyandu")
    page.fill("input[name=percent]", "35")
    page.set_input_files(
        "input[name=files]", files=[{"name": "posyandu.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click("button[name=progress]")
    page.wait_for_load_state()
    a11y(page)

    commitment = Commitment.objects.get(description="PMT lokal untuk 120 balita gizi kurang")
    assert (commitment.status, commitment.progress) == ("in_progress", 35)
    evidence = Evidence.objects.get(update__commitment=commitment)
    assert (evidence.original_name, evidence.content_type) == ("posyandu.png", "image/png")
    assert page.locator("[data-testid=commitment-history]").get_by_text("posyandu.png").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_dinkes_marks_done_with_a_pdf_and_notulis_verifies_on_a_phone(
    page, live_server, demo, browser_login, a11y
):
    from .factories import PDF_BYTES, CommitmentFactory

    commitment = CommitmentFactory(
        owner=demo.orgs["dinkes"], pic=demo.users["dinkes"], description="Kelas ibu hamil di 12 desa"
    )

    browser_login(page, "dinkes")
    page.goto(commitment.get_absolute_url())
    page.click("button[name=done]")  # without evidence: refused, with the reason on the field
    page.wait_for_load_state()
    a11y(page)
    assert page.locator("#id_files_error, .invalid-feedback").count() >= 1
    page.fill("textarea[name=note]", "Kelas selesai, daftar hadir terlampir")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "daftar-hadir.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("button[name=done]")
    page.wait_for_load_state()
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE

    page.context.clear_cookies()
    browser_login(page, "notulis")
    page.goto(commitment.get_absolute_url())
    a11y(page)
    page.fill("#verify-heading ~ form textarea[name=note]", "Bukti sesuai")
    page.click("#verify-heading ~ form button[type=submit]")
    page.wait_for_load_state()
    a11y(page)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.VERIFIED
    assert page.locator("[data-testid=commitment-status]").inner_text() == "Terverifikasi"


def test_a_pic_reports_progress_from_the_one_tap_email_link_on_a_phone_without_logging_in(
    page, live_server, demo, a11y
):
    from meetings.links import progress_url

    from .factories import CommitmentFactory

    dinkes = demo.users["dinkes"]
    commitment = CommitmentFactory(
        owner=demo.orgs["dinkes"], pic=dinkes, description="Pemberian TTD untuk remaja putri"
    )
    path = progress_url(commitment, dinkes).split("/meetings/", 1)[1]

    page.goto(f"/meetings/{path}")
    a11y(page)
    assert page.locator("h2#commitment-heading").inner_text() == "Pemberian TTD untuk remaja putri"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("textarea[name=note]", "TTD dibagikan di 6 sekolah")
    page.fill("input[name=percent]", "60")
    page.set_input_files(
        "input[name=files]", files=[{"name": "sekolah.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click("button[name=progress]")
    page.wait_for_load_state()
    a11y(page)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == ("in_progress", 60)
    update = commitment.updates.latest("created_at")
    assert update.author == dinkes
    assert Evidence.objects.get(update=update).original_name == "sekolah.png"
    assert page.locator("[data-testid=commitment-history]").get_by_text("sekolah.png").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]  # nobody logged in
