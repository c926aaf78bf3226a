"""Every route x every persona, GET and POST, in two kabupaten (issue 8, "proven for every route").

The routes come from the URL resolver (admin included), so a new route without an entry in
EXPECTED fails `test_every_route_has_an_expectation`. Ids are filled in from real objects of
Kabupaten Tapin and Kabupaten Banjar (tests/two_kabupaten.py). Each request is made in
a savepoint that is rolled back, so requests do not disturb one another; after every refused
request no row of any table may have been written (PostgreSQL's per-transaction counters).

The POST a route gets is the form it renders, sent back unchanged (as the superuser sees it),
or, for pages that only take a POST, the data in POST_DATA: a refused persona sends a valid
form, so a write that should have been refused shows up as a changed database.

Outcomes: "ok" (2xx, a redirect other than to a login page, or a 400 form error for a
persona allowed to post), "login" (302 to the portal's or the admin's login page), "403",
"404" (for Django admin also its redirect to the index for an object it cannot find), "405",
"400", and "same" (any answer, but the database is unchanged: admin actions that ignore
rows outside the scope). "a|b" accepts either.

Set MATRIX_DUMP=/path/file.tsv to write every outcome seen (for reviewing the table).
"""

from __future__ import annotations

import copy
import io
import os
import re

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

from . import two_kabupaten as tk
from .route_expectations import ADMIN_OBJECTS, EXPECTED, ROUTES, SUPER, UNSCOPED_ADMIN, Route

pytestmark = [pytest.mark.postgres]

# --- ids, POST data -------------------------------------------------------------------------


def _token_args(route: Route, world: tk.World, side: str) -> dict[str, str]:
    from meetings import links
    from meetings.models import CalendarFeed

    s = world[side]
    if route.key == "meetings:rsvp-link":
        return {"pk": s.meeting.pk, "token": links.rsvp_token(s.invitation, s.person)}
    if route.key == "meetings:commitment-quick-update":
        token = links.progress_url(s.commitment, s.person).rstrip("/").rsplit("/", 1)[1]
        return {"pk": s.commitment.pk, "token": token}
    if route.key == "meetings:calendar-feed":
        feed, _created = CalendarFeed.objects.get_or_create(user=s.person)
        return {"token": feed.token}
    if route.key == "trainings:certificate-verify":
        return {"token": s.enrollment.certificate_token}
    return {}


def url_for(route: Route, world: tk.World, side: str | None) -> str:
    """The route's URL with the ids of the side's objects."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if route.pattern.endswith("(?P<url>.*)$"):
        return "/admin/no-such-page/"
    if route.key == "admin:autocomplete":
        return "/admin/autocomplete/?app_label=portal&model_name=organisation&field_name=region&term="
    s = world[side] if side else None
    values = _token_args(route, world, side) if side else {}
    app = route.key.split(":")[0]
    for name in route.params:
        if name in values:
            continue
        if route.key == "password_reset_confirm":
            user = world.users["camat_a"]
            values = {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                      "token": default_token_generator.make_token(user)}  # fmt: skip
            break
        if route.key in ("admin:view_on_site", "admin:app_list"):
            break
        if route.key.startswith("admin:"):
            values.update(_admin_args(route, world, side))
            break
        values[name] = _portal_id(route, name, s, app)
    if route.key == "admin:view_on_site":
        from meetings.models import Meeting

        values = {"content_type_id": ContentType.objects.get_for_model(Meeting).pk, "object_id": s.meeting.pk}
    path = route.pattern
    for name, value in values.items():
        path = re.sub(rf"<(\w+:)?{name}>", str(value), path)
    if route.params and route.params[0] == "0":  # simple-history's regex: (object)/history/(version)
        path = re.sub(
            r"\^\(\[\^/\]\+\)/history/\(\[\^/\]\+\)/\$$", f"{values['0']}/history/{values['1']}/", path
        )
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<app_label>[^)]*\)\)?/?", "meetings/", path)
    return "/" + path.lstrip("/")


def _portal_id(route: Route, name: str, s: tk.Side, app: str):
    key = route.key
    if name == "code":
        return s.region.code
    if name == "number":
        return 1
    if name == "doc":
        return s.document.pk
    if name == "session_pk":
        return s.session.pk
    if name == "training_pk":
        return s.training.pk
    if name == "fmt":
        return "xlsx"
    if key.startswith("portal:job"):
        return s.job.pk
    if name == "round_pk":
        return s.audit_round.pk
    if key.startswith("audits:case"):
        return s.audit_case.pk
    if key.startswith("audits:recommendation-"):
        return s.recommendation.pk
    if key == "audits:team-remove":
        return s.team_member.pk
    if key.startswith("audits:"):
        return s.audit_round.pk
    if key.startswith("portal:organisation"):
        return s.organisation.pk
    if key.startswith("portal:notification"):
        return s.notification.pk
    if key == "meetings:evidence-download":
        return s.evidence.pk
    if key.startswith("meetings:commitment"):
        return s.commitment.pk
    if key.startswith("meetings:"):
        return s.meeting.pk
    if key == "trainings:session-update":
        return s.session.pk
    if key == "trainings:certificate":
        return s.enrollment.pk
    if key.startswith("trainings:"):
        return s.training.pk
    raise AssertionError(f"no id for {name} of {key}")


def _admin_args(route: Route, world: tk.World, side: str | None) -> dict[str, object]:
    match = re.match(r"admin:(\w+?)_(\w+?)_", route.key)
    label = f"{match[1]}.{match[2]}"
    if route.key == "admin:auth_user_password_change":
        return {"id": world[side].person.pk}
    if label in UNSCOPED_ADMIN or side is None:
        obj_id = 1
        history_id = 1
    else:
        obj = getattr(world[side], ADMIN_OBJECTS[label][0])
        obj_id = obj.pk
        history_id = (
            obj.history.order_by("history_id").values_list("history_id", flat=True).first() or 1
            if hasattr(obj, "history")
            else 1
        )
    return {"object_id": obj_id, "0": obj_id, "1": history_id}


def _value(field, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def _form_data(form: BaseForm) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = _value(field, form[name].value())
        if value is not None and not getattr(field.widget, "input_type", "") == "file":
            data[form.add_prefix(name)] = value
    return data


def form_data(response) -> dict | None:
    """The data of the forms a page renders, as a browser would send them back unchanged."""
    if response.status_code != 200 or response.context is None:
        return None
    data: dict = {}
    seen = set()
    for context in response.context:
        for layer in [context] if isinstance(context, dict) else context.dicts:
            for value in layer.values():
                if id(value) in seen:
                    continue
                seen.add(id(value))
                if isinstance(value, helpers.AdminForm):
                    value = value.form
                if isinstance(value, list) and value and isinstance(value[0], helpers.InlineAdminFormSet):
                    for inline in value:
                        data.update(_formset_data(inline.formset))
                    continue
                if isinstance(value, BaseFormSet):
                    data.update(_formset_data(value))
                elif isinstance(value, BaseForm):
                    data.update(_form_data(value))
    return data


def _formset_data(formset: BaseFormSet) -> dict:
    data = _form_data(formset.management_form)
    for form in formset.forms:
        data.update(_form_data(form))
    return data


def post_data(route: Route, world: tk.World, side: str | None, rendered: dict | None) -> dict:
    s = world[side] if side else None
    extra: dict = {}
    key = route.key
    if key.endswith("_changelist"):
        match = re.match(r"admin:(\w+?)_(\w+?)_", key)
        label = f"{match[1]}.{match[2]}"
        obj = getattr(s, ADMIN_OBJECTS[label][0]) if s and label in ADMIN_OBJECTS else None
        extra = {"action": "delete_selected", "post": "yes",
                 helpers.ACTION_CHECKBOX_NAME: [obj.pk if obj else 1]}  # fmt: skip
        return extra
    if key.endswith("_import"):
        content = {
            "admin:portal_region_import": b"code,name,level,parent_code\n63.05,Kab. Tapin Diubah,kabupaten,63\n",
            "admin:portal_organisation_import": (
                f"id,name,short_name,kind,region,email,phone,address\n{world['banjar'].organisation.pk},"
                "DPPKB Diubah,,opd,63.03,diubah@example.org,,\n"
            ).encode(),
        }.get(key, b"id\n1\n")
        return {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("data.csv", content, "text/csv"),
        }
    if key.endswith("_process_import"):
        return {
            "format": "0",
            "resource": "0",
            "import_file_name": "nope.csv",
            "original_file_name": "data.csv",
        }
    if key.endswith("_export"):
        return {"format": "0", "resource": "0", "export_items": []}
    fixed = {
        "login": {"username": "camat.tapinutara", "password": "salah"},
        "admin:login": {"username": "dppkb", "password": "salah"},
        "password_reset": {"email": "camat.tapinutara@tapin.example"},
        "set_language": {"language": "en", "next": "/"},
        "meetings:meeting-rsvp": {"response": "hadir"},
        "meetings:rsvp-link": {"response": "hadir"},
        "meetings:checkin": {"code": (s or world["tapin"]).meeting.checkin_code},
        "meetings:meeting-invite": {"people": [world.users["pkk"].pk]},
        "meetings:document-upload": {
            "kind": "signed_attendance",
            "file": SimpleUploadedFile("hadir.pdf", tk.PDF_BYTES, "application/pdf"),
        },
        "meetings:commitment-verify": {"note": "Terverifikasi"},
        "meetings:commitment-reopen": {"reason": "Belum selesai"},
        "meetings:commitment-quick-update": {"status": "in_progress", "percent": "60", "note": "Lanjut"},
        "trainings:decide": {"action": "approve", "enrollments": [s.enrollment.pk] if s else []},
        "trainings:nominate": {"people": [world.users["pkk"].pk]},
        "trainings:session-checkin": {"code": s.session.checkin_code if s else ""},
        "trainings:import-participants": {
            "file": SimpleUploadedFile("p.xlsx", _xlsx(), "application/octet-stream")
        },
        "portal:notification-preferences": {},
    }
    data = dict(rendered or {})
    data.update(fixed.get(key, {}))
    return data


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["username", "pre_test", "post_test"])
    book.active.append(["camat.tapinutara", 10, 99])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- outcomes, writes ------------------------------------------------------------


OBJECT_VIEWS = re.compile(r"admin:\w+_(change|delete|history|simple_history|password_change)$")


def outcome(response, key: str = "") -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        path = location.split("?")[0]
        if path.endswith("/accounts/login/") or path.endswith("/admin/login/"):
            return "login"
        if path.rstrip("/").endswith("/admin") and OBJECT_VIEWS.match(key):
            return "404"  # Django admin's answer to an object it cannot find
        return "ok"
    if 200 <= status < 300:
        return "ok"
    return str(status)


def matches(expected: str, got: str, *, changed: bool) -> bool:
    options = expected.split("|")
    if "same" in options and not changed:
        return True
    if got == "400" and "ok" in options:
        return True  # a form error for someone allowed to post
    return got in options


# --- fixtures ---------------------------------------------------------------------------------


world = tk.world  # the module-scoped fixture


@pytest.fixture
def in_world(world, db):
    return world


# --- the tests ----------------------------------------------------------------------------------


def test_every_route_has_an_expectation():
    missing = sorted({r.key for r in ROUTES} - EXPECTED.keys())
    assert not missing, f"routes without an expected outcome per persona (add them to EXPECTED): {missing}"
    stale = sorted(EXPECTED.keys() - {r.key for r in ROUTES})
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def _dump(rows: list[tuple]) -> None:
    path = os.environ.get("MATRIX_DUMP")
    if path:
        with open(path, "a") as out:
            for row in rows:
                out.write("\t".join(map(str, row)) + "\n")


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_route_answers_every_persona_as_expected(in_world, route):
    world = in_world
    expect = EXPECTED[route.key]
    failures, rows = [], []
    for side in expect.sides:
        url = url_for(route, world, side)  # may create what the URL needs (a calendar feed)
        with transaction.atomic():
            rendered = form_data(world.clients[SUPER].get(url))
            transaction.set_rollback(True)
        for method, rule in (("GET", expect.get), ("POST", expect.post)):
            for persona in tk.PERSONAS:
                wanted = rule(persona, side)
                client = world.clients[persona]
                cookies = client.cookies
                client.cookies = copy.deepcopy(cookies)  # a logout must not end the persona's session
                with transaction.atomic():
                    before = tk.writes()
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, post_data(route, world, side, rendered))
                    got = outcome(response, route.key)
                    changed = tk.writes() != before and not expect.writes_ok
                    transaction.set_rollback(True)
                client.cookies = cookies
                rows.append((route.key, side, method, persona, got, wanted, int(changed)))
                if got == "500" or not matches(wanted, got, changed=changed):
                    failures.append(f"{method} {url} as {persona} ({side}): got {got}, expected {wanted}")
                elif got != "ok" and changed:
                    failures.append(f"{method} {url} as {persona} ({side}): refused ({got}) but wrote")
    _dump(rows)
    assert not failures, "\n".join(failures)
