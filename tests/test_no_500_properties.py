"""Property-based tests (hypothesis): no input gives a 500. The portal forms, the admin filters and
every importer (regions by command and admin, organisations, commitments, training participants)
get arbitrary input; a refusal is an error message and writes nothing.

The Django test client re-raises a view's exception, so a 500 fails the example with its
traceback. Runs on the two-kabupaten world of the route matrix; every example is rolled back.
"""

from __future__ import annotations

import io
import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.tests import job_helpers

from . import two_kabupaten as tk

pytestmark = [pytest.mark.postgres]

world = tk.world  # the module-scoped fixture

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in every run: CI stays reproducible
)
# Text a person might type or paste, including the awkward: digits, signs, separators, unicode.
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1e999", "NaN", "abc", "63.05", "99999999999999999999", "1,5", " "]),
)
CELL = st.one_of(TEXT, st.integers(-(10**12), 10**12), st.floats(allow_nan=True), st.none())


@pytest.fixture
def w(world, db):
    return world


class Rollback(Exception):
    pass


def isolated(action):
    """Run `action` in a savepoint that is rolled back; return its result and how many rows it wrote."""
    with transaction.atomic():
        before = tk.writes()
        result = action()
        written = tk.writes() - before
        transaction.set_rollback(True)
    return result, written


def job_outcome(client, response):
    """An upload that started a background job (302): run the job as the worker would and show
    its page. A job fails only by its report (bad rows), never by an exception (`error`)."""
    if response.status_code != 302:
        return response, None
    job = job_helpers.run(response)
    assert job.error == "", job.error
    return client.get(job.get_absolute_url()), job


def csv_bytes(rows: list[list]) -> bytes:
    return "\n".join(
        ",".join("" if v is None else str(v).replace(",", " ") for v in row) for row in rows
    ).encode("utf-8", errors="replace")


# --- regions ----------------------------------------------------------------------------------

REGION_CODE = st.one_of(st.sampled_from(["63", "63.05", "63.05.13", "63.05.13.2001", "63.03.09", "6x"]), TEXT)
REGION_ROW = st.lists(st.one_of(REGION_CODE, TEXT), min_size=0, max_size=5)
REGION_FILE = st.one_of(
    st.binary(max_size=300),
    st.lists(REGION_ROW, max_size=6).map(
        lambda rows: csv_bytes([["code", "name", "level", "parent_code"], *rows])
    ),
)


@PROPERTY
@given(content=REGION_FILE, gz=st.booleans())
def test_import_regions_takes_any_file_without_a_traceback(w, content, gz):
    from portal.models import Region

    with tempfile.NamedTemporaryFile(suffix=".csv.gz" if gz else ".csv", delete=False) as handle:
        handle.write(content)
    before = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))

    def run():
        try:
            call_command("import_regions", handle.name, stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError as error:
            assert "tidak ada yang ditulis" in str(error) or "nothing was written" in str(error)
            return "refused", list(
                Region.objects.order_by("code").values_list("code", "name", "level", "parent_id")
            )
        return "imported", None

    try:
        (result, after), _written = isolated(run)
    finally:
        os.unlink(handle.name)
    if result == "refused":
        assert after == before


@PROPERTY
@given(content=REGION_FILE)
def test_admin_region_import_takes_any_file_without_a_traceback(w, content):
    client = w.clients["superuser"]

    def run():
        return job_outcome(client, client.post(
            reverse("admin:portal_region_import"),
            {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("r.csv", content, "text/csv")},
        ))  # fmt: skip

    (response, _job), _written = isolated(run)

    assert response.status_code == 200
    assert "Traceback" not in response.content.decode(errors="replace")


# --- organisations and commitments (admin import) ---------------------------------------------


@PROPERTY
@given(
    rows=st.lists(st.lists(CELL, min_size=8, max_size=8), max_size=4),
    persona=st.sampled_from(["dppkb", "superuser"]),
)
def test_admin_organisation_import_takes_any_rows(w, rows, persona):
    from portal.models import Organisation

    header = ["id", "name", "short_name", "kind", "region", "email", "phone", "address"]
    before = list(Organisation.objects.order_by("pk").values())

    client = w.clients[persona]

    def run():
        response, job = job_outcome(client, client.post(
            reverse("admin:portal_organisation_import"),
            {"format": "0", "resource": "0",
             "import_file": SimpleUploadedFile("o.csv", csv_bytes([header, *rows]), "text/csv")},
        ))  # fmt: skip
        return response, job, list(Organisation.objects.order_by("pk").values())

    (response, job, after), _written = isolated(run)

    assert response.status_code in (200, 403)
    assert "Traceback" not in response.content.decode(errors="replace")
    if job is None or job.state != "done":
        assert after == before  # refused: nothing is kept


@PROPERTY
@given(
    rows=st.lists(st.lists(CELL, min_size=7, max_size=7), max_size=4),
    persona=st.sampled_from(["notulis", "superuser"]),
)
def test_admin_commitment_import_takes_any_rows(w, rows, persona):
    from meetings.commitments.models import Commitment

    header = ["id", "meeting", "description", "intervention_type", "owner", "pic", "due_date"]
    before = list(Commitment.objects.order_by("pk").values())

    client = w.clients[persona]

    def run():
        response, job = job_outcome(client, client.post(
            reverse("admin:meetings_commitment_import"),
            {"format": "0", "resource": "0",
             "import_file": SimpleUploadedFile("c.csv", csv_bytes([header, *rows]), "text/csv")},
        ))  # fmt: skip
        return response, job, list(Commitment.objects.order_by("pk").values())

    (response, job, after), _written = isolated(run)

    assert response.status_code in (200, 403)
    assert "Traceback" not in response.content.decode(errors="replace")
    if job is None or job.state != "done":
        assert after == before


# --- training participants (portal import) ---------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)  # a workbook cannot hold control characters
        return "NaN" if isinstance(value, float) and value != value else value

    book = Workbook()
    for row in rows:
        book.active.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


USERNAME = st.one_of(
    st.sampled_from(["camat.tapinutara", "pkk.tapinutara", "camat.aluhaluh", "tanpa.peran"]), TEXT
)
SCORE = st.one_of(CELL, st.sampled_from(["NaN", "Infinity", "-0", "100", "100.001", "70,5"]))


@PROPERTY
@given(
    rows=st.lists(st.tuples(USERNAME, SCORE, SCORE), max_size=4),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_participants_import_takes_any_workbook(w, rows, raw):
    from trainings.models import Enrollment

    content = raw if raw is not None else xlsx([["username", "pre_test", "post_test"], *map(list, rows)])
    training = w["tapin"].training
    before = list(Enrollment.objects.order_by("pk").values())

    client = w.clients["organiser"]

    def run():
        response, job = job_outcome(client, client.post(
            reverse("trainings:import-participants", args=[training.pk]),
            {"file": SimpleUploadedFile("p.xlsx", content, "application/octet-stream")},
        ))  # fmt: skip
        return response, job, list(Enrollment.objects.order_by("pk").values())

    (response, job, after), _written = isolated(run)

    assert response.status_code == 200
    if job is None or job.state != "done":
        assert after == before


# --- admin filters ------------------------------------------------------------------------------

CHANGELIST_PARAMS = {
    "portal_region": ["level__exact", "q", "o", "p", "parent__code__exact"],
    "portal_organisation": ["kind__exact", "q", "o", "region__code__exact"],
    "portal_user": ["is_staff__exact", "is_active__exact", "roles__role__exact", "roles__role", "q", "o"],
    "portal_notification": ["state__exact", "channel__exact", "rule_name", "send_at__gte", "send_at__year",
                            "send_at__month", "send_at__day", "q", "o", "p"],
    "meetings_meeting": ["kind__exact", "status__exact", "mode__exact", "start__year", "start__month", "q", "o"],
    "meetings_commitment": ["status__exact", "overdue", "owner__id__exact", "due", "intervention_type__exact",
                            "q", "o", "p", "all"],
    "trainings_training": ["mode__exact", "start_date__gte", "start_date__lt", "q", "o"],
    "trainings_enrollment": ["status__exact", "kabupaten", "training", "q", "o"],
    "trainings_session": ["mode__exact", "o"],
    "trainings_attendance": ["method__exact", "o"],
}  # fmt: skip
FILTER_VALUE = st.one_of(
    TEXT, st.integers().map(str), st.sampled_from(["1", "0", "yes", "2024", "13", "-5", "1.5"])
)


@PROPERTY
@given(
    model=st.sampled_from(sorted(CHANGELIST_PARAMS)),
    data=st.data(),
    persona=st.sampled_from(["dppkb", "notulis", "superuser"]),
)
def test_admin_filters_take_any_value(w, model, data, persona):
    params = data.draw(st.dictionaries(st.sampled_from(CHANGELIST_PARAMS[model]), FILTER_VALUE, max_size=3))

    response, written = isolated(lambda: w.clients[persona].get(reverse(f"admin:{model}_changelist"), params))

    assert response.status_code in (200, 302, 400, 403)
    assert written == 0


# --- portal forms -----------------------------------------------------------------------------
# (route, its URL kwargs from the Tapin side, who posts, the form's field names)
FORMS = [
    ("portal:organisation-create", None, "dppkb", ["name", "short_name", "kind", "region", "email", "phone"]),
    ("portal:organisation-update", "organisation", "dppkb", ["name", "kind", "region", "email"]),
    ("meetings:meeting-create", None, "notulis",
     ["kind", "title", "region", "organisers", "chair", "start", "end", "mode", "venue", "online_link", "status",
      "recurrence", "agenda-TOTAL_FORMS", "agenda-INITIAL_FORMS", "agenda-0-title"]),
    ("meetings:meeting-update", "meeting", "notulis", ["title", "start", "end", "mode", "status", "region"]),
    ("meetings:meeting-invite", "meeting", "notulis", ["people", "organisations"]),
    ("meetings:meeting-rsvp", "meeting", "camat_a", ["response", "delegate_name", "note"]),
    ("meetings:checkin", None, "camat_a", ["code"]),
    ("meetings:minutes", "meeting", "notulis", ["summary", "decisions", "reason", "discussion-1"]),
    ("meetings:commitment-progress", "commitment", "camat_a", ["note", "percent", "status", "done"]),
    ("meetings:commitment-verify", "commitment", "notulis", ["note"]),
    ("meetings:commitment-reopen", "commitment", "notulis", ["reason"]),
    ("trainings:training-create", None, "organiser",
     ["title", "organiser", "mode", "start_date", "end_date", "capacity", "kabupaten_quota", "registration_opens",
      "registration_closes", "eligible_roles", "min_attendance_percent", "post_test_pass_mark"]),
    ("trainings:training-update", "training", "organiser", ["title", "capacity", "start_date", "end_date"]),
    ("trainings:nominate", "training", "dppkb", ["person"]),
    ("trainings:decide", "training", "organiser", ["enrollments", "action", "reason"]),
    ("trainings:scores", "training", "organiser",
     ["form-TOTAL_FORMS", "form-INITIAL_FORMS", "form-0-id", "form-0-pre_test_score", "form-0-post_test_score"]),
    ("trainings:session-create", "training", "organiser", ["date", "start_time", "end_time", "mode", "topic"]),
    ("trainings:session-checkin", "session", "camat_a", ["code", "via"]),
    ("portal:notification-preferences", None, "camat_a", ["digest"]),
    ("set_language", None, "camat_a", ["language", "next"]),
]  # fmt: skip


def _form_url(w, name: str, obj: str | None) -> str:
    s = w["tapin"]
    if obj is None:
        return reverse(name)
    if obj == "session":
        return reverse(name, args=[s.training.pk, s.session.pk])
    if name == "trainings:session-create":
        return reverse(name, args=[s.training.pk])
    return reverse(name, args=[getattr(s, obj).pk])


@PROPERTY
@given(form=st.sampled_from(FORMS), data=st.data())
def test_portal_forms_take_any_input(w, form, data):
    name, obj, persona, field_names = form
    values = data.draw(
        st.dictionaries(st.sampled_from(field_names), st.one_of(TEXT, st.lists(TEXT, max_size=3)))
    )
    url = _form_url(w, name, obj)

    response, written = isolated(lambda: w.clients[persona].post(url, values))

    assert response.status_code in (200, 302, 400, 403, 404)
    if response.status_code in (400, 403, 404):
        assert written == 0
