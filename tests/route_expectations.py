"""The expected outcome of every route for every persona (the table of test_route_matrix.py).

Routes come from the URL resolver (admin included); EXPECTED maps each route's key to what each
persona gets on GET and POST, written out by hand from the rules of the roles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from . import two_kabupaten as tk

SIDES = ("tapin", "banjar")
ANON, SUPER = "anonymous", "superuser"
TAPIN_STAFF = {"dppkb", "notulis"}
BANJAR_STAFF = {"dppkb_banjar", "notulis_banjar"}
STAFF = TAPIN_STAFF | BANJAR_STAFF
TAPIN_PEOPLE = TAPIN_STAFF | {"camat_a", "camat_b", "kapus", "pkk", "opd"}
USERS = [p for p in tk.PERSONAS if p != ANON]


# --- the routes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name with its namespace, or a stable name for an unnamed admin pattern
    pattern: str
    params: tuple[str, ...]  # named parameters, or "0", "1" for regex groups


def _routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                regex = entry.pattern.regex
                params = tuple(regex.groupindex) or tuple(str(i) for i in range(regex.groups))
                name = entry.name or _unnamed(pattern)
                found.append(Route(":".join(filter(None, [namespace, name])), pattern, params))

    walk(get_resolver(), "", "")
    return found


def _unnamed(pattern: str) -> str:
    if pattern.endswith("(?P<url>.*)$"):
        return "catch_all"
    match = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/$", pattern)
    assert match, f"an unnamed route the matrix does not know: {pattern}"
    return f"{match[1]}_{match[2]}_object_redirect"


ROUTES = _routes()


# --- what each persona may see and change ---------------------------------------------------
# Written out by hand from the rules of the roles (README, DOMAIN.md), not derived from the code
# under test. side -> personas.


def _both(tapin: set[str], banjar: set[str]) -> dict[str, set[str]]:
    return {"tapin": tapin | {SUPER}, "banjar": banjar | {SUPER}}


PROVINCE = {"organiser"}  # BKKBN Kalimantan Selatan is scoped to the whole province
TAPIN_KABUPATEN = TAPIN_STAFF | {"opd"}  # kabupaten-level roles (the OPD through its organisation)
READ = {
    # A kabupaten rakor: the kabupaten-level people, its invitees (camat A), the province. A
    # camat, kepala puskesmas or ketua PKK sees their kecamatan's meetings, not the kabupaten's.
    "meeting": _both(TAPIN_KABUPATEN | {"camat_a"} | PROVINCE, BANJAR_STAFF | PROVINCE),
    # Secretariat and DPPKB admins of the kabupaten write its meetings.
    "meeting_write": _both(TAPIN_STAFF, BANJAR_STAFF),
    # Commitments: as their meeting, plus the PIC (camat A) and the owner's people.
    "commitment": _both(TAPIN_KABUPATEN | {"camat_a"} | PROVINCE, BANJAR_STAFF | PROVINCE),
    # Progress: the owner's side (the DPPKB of the kabupaten owns it; the PIC is camat A) and
    # the secretariat.
    "commitment_write": _both(TAPIN_STAFF | {"camat_a"}, BANJAR_STAFF),
    "commitment_verify": _both(TAPIN_STAFF, BANJAR_STAFF),
    # A training organised by the kabupaten's DPPKB: its DPPKB admin, the province's organiser,
    # the roles it is open to (camat, kepala puskesmas, ketua PKK) in that kabupaten.
    "training": _both(
        {"dppkb", "camat_a", "camat_b", "kapus", "pkk"} | PROVINCE, {"dppkb_banjar"} | PROVINCE
    ),
    "training_write": _both(PROVINCE, PROVINCE),
    "training_enrollments": _both({"dppkb"} | PROVINCE, {"dppkb_banjar"} | PROVINCE),
    # A DPPKB admin nominates the people of their own kabupaten.
    "training_nominate": {"tapin": {"dppkb"}, "banjar": {"dppkb_banjar"}},
    # Organisations: those of the kabupaten (and above it) are visible to its people.
    "organisation": _both(TAPIN_PEOPLE | PROVINCE, BANJAR_STAFF | PROVINCE),
    "organisation_write": _both({"dppkb"}, {"dppkb_banjar"}),
    # A kabupaten's own region: its kabupaten-level people (a camat sees only their kecamatan).
    "region": _both(TAPIN_KABUPATEN | PROVINCE, BANJAR_STAFF | PROVINCE),
    # Personal things of the side's camat (camat A in Tapin; Banjar's camat is no persona):
    # their notification, their enrollment, their invitation, their one-tap links.
    "own": {"tapin": {"camat_a"}, "banjar": set()},
    "certificate": _both({"camat_a", "dppkb"} | PROVINCE, {"dppkb_banjar"} | PROVINCE),
    "chair": _both({"dppkb"}, {"dppkb_banjar"}),
    "nobody": {"tapin": set(), "banjar": set()},
    # AKS (audits). A round is seen by the people of its kabupaten (a camat for their
    # kecamatan's aggregates) and the province; none of the personas is on a round's team.
    "audit_round": _both(TAPIN_PEOPLE | PROVINCE, BANJAR_STAFF | PROVINCE),
    # Cases and identities: the round's team and the kabupaten's DPPKB admin only; the DPPKB
    # admin also manages the round, fills cases, recommends, reads the NIK access log.
    "audit_cases": _both({"dppkb"}, {"dppkb_banjar"}),
    "audit_review": _both(set(), set()),  # signed by the tim pakar only
    "audit_adopt": _both(TAPIN_STAFF, BANJAR_STAFF),  # the TPPS secretariat
    # Whole-kabupaten reports and the monitoring page of the kabupaten: its monitoring roles
    # and the province (a camat: only their kecamatan's page).
    "audit_reports": _both({"dppkb", "notulis"} | PROVINCE, BANJAR_STAFF | PROVINCE),
    # Recommendations: the secretariat, and the OPD owning it (Tapin's: the Dinas Kesehatan).
    "recommendation": _both(TAPIN_STAFF | {"opd"}, BANJAR_STAFF),
}
MONITORS = STAFF | {"camat_a", "camat_b", "kapus", "pkk"} | PROVINCE | {SUPER}
COMMITMENT_READERS = TAPIN_PEOPLE | BANJAR_STAFF | {SUPER}  # meetings.view_commitment


def reads(kind: str) -> Callable[[str, str | None], str]:
    """ok for those who may see the object, 404 for the others, login for anonymous."""

    def rule(persona: str, side: str | None) -> str:
        if persona == ANON:
            return "login"
        return "ok" if persona in READ[kind][side] else "404"

    return rule


def writes(kind: str, seen_by: str) -> Callable[[str, str | None], str]:
    """ok for writers, 403 for those who only see it, 404 for the others, login for anonymous."""

    def rule(persona: str, side: str | None) -> str:
        if persona == ANON:
            return "login"
        if persona in READ[kind][side]:
            return "ok"
        return "403" if persona in READ[seen_by][side] else "404"

    return rule


def everyone(outcome: str, anon: str | None = None) -> Callable[[str, str | None], str]:
    return lambda persona, side: (anon or outcome) if persona == ANON else outcome


def users(outcome: str) -> Callable[[str, str | None], str]:
    return everyone(outcome, anon="login")


def only(allowed: set[str], refused: str = "403") -> Callable[[str, str | None], str]:
    return lambda persona, side: "login" if persona == ANON else ("ok" if persona in allowed else refused)


# --- Django admin ---------------------------------------------------------------------------
# Model permissions of the two staff roles (portal/roles.py ROLE_PERMISSIONS) per admin model:
# view, add, change, delete. Everyone else who is not staff is sent to the admin login.
PERMS = {
    "dppkb": {
        "portal.region": "v",
        "portal.organisation": "vac",
        "portal.user": "v",
        "portal.notification": "vc",
        "meetings.meeting": "vacd",
        "meetings.commitment": "vac",
        "meetings.minutes": "vac",
        "meetings.meetingdocument": "va",
        "trainings.training": "v",
        "trainings.enrollment": "va",
        "audits.auditround": "vc",
        "audits.auditcase": "v",
        "audits.riskfactor": "vac",
        "audits.recommendation": "vc",
        "audits.nikaccesslog": "v",
        "audits.prevalencerecord": "vac",
    },
    "notulis": {
        "audits.auditround": "v",
        "audits.riskfactor": "v",
        "audits.recommendation": "v",
        "portal.region": "v",
        "portal.organisation": "v",
        "meetings.meeting": "vac",
        "meetings.commitment": "vacd",
        "meetings.minutes": "vac",
        "meetings.meetingdocument": "va",
        "trainings.training": "v",
    },
}
PERMS["dppkb_banjar"], PERMS["notulis_banjar"] = PERMS["dppkb"], PERMS["notulis"]
# The object of each admin model per side, and who among the staff may see it (scope).
ADMIN_OBJECTS = {
    "portal.region": ("region", READ["region"]),
    "portal.organisation": ("organisation", READ["organisation"]),
    "portal.user": ("person", _both(TAPIN_STAFF, BANJAR_STAFF)),
    "portal.notification": ("notification", _both(TAPIN_STAFF, BANJAR_STAFF)),
    "meetings.meeting": ("meeting", READ["meeting"]),
    "meetings.commitment": ("commitment", READ["commitment"]),
    "meetings.minutes": ("minutes", READ["meeting"]),
    "meetings.meetingdocument": ("document", READ["meeting"]),
    "trainings.training": ("training", _both({"dppkb"}, {"dppkb_banjar"})),
    "trainings.enrollment": ("enrollment", _both({"dppkb"}, {"dppkb_banjar"})),
    "trainings.session": ("session", _both(set(), set())),
    "trainings.attendance": ("training_attendance", _both(set(), set())),
    "audits.auditround": ("audit_round", _both(TAPIN_STAFF, BANJAR_STAFF)),
    "audits.auditcase": ("audit_case", READ["audit_cases"]),
    "audits.recommendation": ("recommendation", _both(TAPIN_STAFF, BANJAR_STAFF)),
    "audits.nikaccesslog": ("nik_access", READ["audit_cases"]),
    "audits.riskfactor": ("risk_factor", _both(STAFF, STAFF)),  # the national catalogue
    "audits.prevalencerecord": ("prevalence", _both(TAPIN_STAFF, BANJAR_STAFF)),
}
NO_ADD = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "portal.notification",
          "portal.remindersettings", "meetings.minutes", "meetings.meetingdocument",
          "trainings.attendance", "audits.auditround", "audits.auditcase", "audits.recommendation",
          "audits.nikaccesslog"}  # fmt: skip
# Enrollments change only through the trainings services, never by an admin form (issue 8);
# cases only on the portal (identity encrypted, KKA validated); the NIK log is append-only.
NO_CHANGE = {"trainings.enrollment", "meetings.minutes", "audits.auditcase", "audits.nikaccesslog"}
NO_DELETE = {"portal.remindersettings", "audits.auditround", "audits.auditcase", "audits.riskfactor",
             "audits.recommendation", "audits.nikaccesslog"}  # fmt: skip
UNSCOPED_ADMIN = {"auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
                  "portal.remindersettings"}  # fmt: skip


def admin_rule(model: str, view: str) -> Callable[[str, str | None], str]:
    """Expected outcome of one admin view of `model` (view: changelist, add, change, delete,
    history, history_form, import, export, object_redirect)."""

    def rule(persona: str, side: str | None) -> str:
        if persona == ANON or persona not in STAFF | {SUPER}:
            return "login"
        if view == "object_redirect":
            return "ok"  # a bare redirect to the change view, which does the checks
        if persona == SUPER:
            if (view == "add" and model in NO_ADD) or (view == "delete" and model in NO_DELETE):
                return "403"
            # The unscoped models' object routes are tried with an id that may not exist.
            return "ok|404" if model in UNSCOPED_ADMIN and view not in ("changelist", "export") else "ok"
        perms = PERMS[persona].get(model, "")
        if model in NO_ADD:
            perms = perms.replace("a", "")
        if model in UNSCOPED_ADMIN and view not in ("changelist", "add", "import", "export"):
            return "403|404"  # Django admin looks the object up before the permission
        in_scope = side is None or model in UNSCOPED_ADMIN or persona in ADMIN_OBJECTS[model][1][side]
        if view in ("changelist", "export"):
            return "ok" if "v" in perms else "403"
        if view == "add":
            return "ok" if "a" in perms else "403"
        if view == "import":
            # Region import is for superusers only; other imports need the add right.
            return "ok" if "a" in perms and model != "portal.region" else "403"
        if view == "history_form":
            # Reverting from history is for superusers only: in scope the old version may be
            # shown read-only (or refused), never saved; outside the scope nothing is shown.
            return "ok|403" if in_scope and "v" in perms else "403|404"
        needed = {"change": "v", "history": "v", "object_redirect": "v", "delete": "d"}[view]
        if needed not in perms:
            return "403" if in_scope else "403|404"
        return "ok" if in_scope else "404"

    return rule


def admin_post_rule(model: str, view: str) -> Callable[[str, str | None], str]:
    """POST to an admin view: the change right instead of the view right; reverting from
    history refused; actions on the changelist (delete_selected on the side's object) change
    something only with the delete right on a row in scope, else the database stays the same."""
    get_rule = admin_rule(model, view)

    def rule(persona: str, side: str | None) -> str:
        outcome = get_rule(persona, side)
        if model in NO_CHANGE and view in ("change", "history_form"):
            return outcome if outcome == "login" else ("403" if outcome.startswith("ok") else "403|404")
        if persona not in STAFF:
            return outcome
        perms = PERMS[persona].get(model, "")
        if view == "history_form":
            return "403" if outcome == "ok|403" else outcome
        if view == "change" and "c" not in perms:
            # Django admin checks the change right before it looks the object up.
            return "403" if outcome == "ok" else "403|404"
        if view == "changelist" and outcome == "ok":
            in_scope = side is not None and persona in ADMIN_OBJECTS.get(model, ("", {side: set()}))[1][side]
            return "ok|same" if "d" in perms and in_scope else "same"
        return outcome

    return rule


# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    get: Callable[[str, str | None], str]
    post: Callable[[str, str | None], str]
    sides: tuple[str | None, ...] = (None,)
    writes_ok: bool = False  # logout and login write (session, axes); nothing else may when refused


def same(rule, sides=(None,)) -> Expect:
    return Expect(rule, rule, sides)


def page(get, post=None, sides=SIDES) -> Expect:
    return Expect(get, post or get, sides)


NO_POST = everyone("405|same")
LOGIN_NO_POST = users("405|same")


def read_only(kind: str) -> Expect:
    return Expect(reads(kind), _post_refused(reads(kind)), SIDES)


def _post_refused(get_rule):
    """A GET-only page: 405 for those who may see it (or login for anonymous)."""
    return lambda persona, side: "405|same" if get_rule(persona, side) == "ok" else get_rule(persona, side)


POST_ONLY = everyone("405", anon="405|login")


def link_rule(refused: str) -> Callable[[str, str | None], str]:
    """A signed link stands in for a login: anyone without a session may use it, and so may its
    own person; another logged-in person is refused."""
    return lambda persona, side: "ok" if persona == ANON or persona in READ["own"][side] else refused


def visible_or_same(kind: str) -> Callable[[str, str | None], str]:
    """A form that finds its object among those the persona sees: ok, or nothing written."""
    return lambda persona, side: (
        "login" if persona == ANON else ("ok" if persona in READ[kind][side] else "same")
    )


EXPECTED: dict[str, Expect] = {
    # --- core -------------------------------------------------------------------------------
    "portal:dashboard": Expect(users("ok"), users("405|same")),
    "portal:region-detail": Expect(reads("region"), _post_refused(reads("region")), SIDES),
    # Organisations are listed for the roles that hold portal.view_organisation.
    "portal:organisation-list": Expect(
        only(set(USERS) - {"norole"}), _post_refused(only(set(USERS) - {"norole"}))
    ),
    "portal:organisation-create": Expect(
        only({"dppkb", "dppkb_banjar", SUPER}), only({"dppkb", "dppkb_banjar", SUPER})
    ),
    "portal:organisation-detail": Expect(reads("organisation"), _post_refused(reads("organisation")), SIDES),
    "portal:organisation-update": page(writes("organisation_write", "organisation")),
    "portal:notification-list": Expect(users("ok"), users("405|same")),
    "portal:notification-open": page(users("405"), reads("own")),
    "portal:notification-read-all": Expect(users("405|same"), users("ok")),
    "portal:notification-preferences": Expect(users("405"), users("ok")),
    "portal:notification-test": Expect(users("405|same"), users("ok")),
    # The same answer for everyone: 200, or 503 while a part (broker, beat, messages) is down,
    # as in the test world, which has no beat ticking.
    "healthz": Expect(everyone("ok|503"), everyone("405|same")),
    "set_language": Expect(everyone("ok|405"), everyone("ok")),
    "login": Expect(everyone("ok"), everyone("ok"), writes_ok=True),
    "logout": Expect(everyone("405"), everyone("login"), writes_ok=True),
    "password_change": same(users("ok")),
    "password_change_done": Expect(users("ok"), users("405|ok")),
    "password_reset": Expect(everyone("ok"), everyone("ok|429")),  # throttled per address and account
    "password_reset_done": Expect(everyone("ok"), everyone("405|ok")),
    "password_reset_confirm": same(everyone("ok")),
    "password_reset_complete": Expect(everyone("ok"), everyone("405|ok")),
    # --- background jobs: a job is its owner's alone ------------------------------------------
    "portal:job-detail": page(reads("own")),
    "portal:job-status": page(reads("own")),
    "portal:job-download": page(reads("own")),
    # --- audits (AKS) -----------------------------------------------------------------------
    "audits:index": Expect(users("ok"), users("405|same")),
    "audits:round-list": Expect(users("ok"), users("405|same")),
    "audits:round-create": same(only({"dppkb", "dppkb_banjar", SUPER})),
    "audits:round-detail": page(reads("audit_round")),
    "audits:round-edit": page(writes("audit_cases", "audit_round")),
    "audits:round-stage": page(POST_ONLY, writes("audit_cases", "audit_round")),
    "audits:team-add": page(POST_ONLY, writes("audit_cases", "audit_round")),
    "audits:team-remove": page(writes("audit_cases", "audit_round")),  # GET asks, POST removes
    "audits:access-log": page(writes("audit_cases", "audit_round")),
    "audits:case-create": page(writes("audit_cases", "audit_round")),
    "audits:recommendation-create": page(writes("audit_cases", "audit_round")),
    "audits:adopt": page(writes("audit_adopt", "audit_round")),
    # A camat, the notulis, the OPD: 404 on every case page (they do not know cases exist).
    "audits:case-detail": page(reads("audit_cases")),
    "audits:case-update": page(reads("audit_cases")),
    "audits:case-reveal": page(users("405"), reads("audit_cases")),  # a reveal is logged: a write
    "audits:case-review": page(writes("audit_review", "audit_cases")),
    "audits:case-evaluate": page(reads("audit_cases")),
    "audits:recommendation-detail": page(reads("recommendation")),
    # The tim pakar and the DPPKB admin edit it; the secretariat and the owning OPD only read it.
    "audits:recommendation-edit": page(writes("audit_cases", "recommendation")),
    "audits:monitoring": same(only(MONITORS)),
    "audits:monitoring-region": page(
        lambda p, s: "login" if p == ANON else ("403" if p not in MONITORS else reads("audit_reports")(p, s))
    ),
    "audits:round-report": page(POST_ONLY, writes("audit_reports", "audit_round")),  # starts a job
    "audits:round-desa-export": page(POST_ONLY, writes("audit_reports", "audit_round")),  # starts a job
    "audits:round-cases-export": page(POST_ONLY, writes("audit_cases", "audit_round")),  # starts a job
    "audits:round-cases-import-template": page(writes("audit_cases", "audit_round")),
    "audits:round-cases-import": page(writes("audit_cases", "audit_round")),
    # --- meetings ---------------------------------------------------------------------------
    "meetings:index": Expect(users("ok"), users("405|same")),
    "meetings:meeting-create": same(only(TAPIN_STAFF | BANJAR_STAFF | {"camat_a", "camat_b", SUPER})),
    "meetings:meeting-detail": read_only("meeting"),
    "meetings:meeting-update": page(writes("meeting_write", "meeting")),
    "meetings:meeting-invite": page(
        _post_refused(writes("meeting_write", "meeting")), writes("meeting_write", "meeting")
    ),
    "meetings:meeting-repeat": page(POST_ONLY, writes("meeting_write", "meeting")),
    "meetings:meeting-rsvp": page(POST_ONLY, writes("own", "meeting")),
    # The signed link stands in for a login: anyone holding it may answer, a bad token is 400.
    "meetings:rsvp-link": page(link_rule("400"), link_rule("400")),
    "meetings:meeting-ics": read_only("meeting"),
    "meetings:attendance": page(writes("meeting_write", "meeting")),
    "meetings:attendance-pdf-job": page(everyone("405"), reads("meeting")),  # starts a job: a write
    "meetings:checkin-screen": Expect(
        writes("meeting_write", "meeting"), _post_refused(writes("meeting_write", "meeting")), SIDES
    ),
    "meetings:document-upload": page(POST_ONLY, writes("meeting_write", "meeting")),
    "meetings:document-download": read_only("meeting"),
    "meetings:minutes": page(reads("meeting"), writes("meeting_write", "meeting")),
    # Approved only by the chair after the meeting was held: the side's rakor is still going on,
    # so even its chair is refused (403); those who cannot see it get 404.
    "meetings:minutes-approve": page(POST_ONLY, writes("nobody", "meeting")),
    "meetings:minutes-version": read_only("meeting"),
    "meetings:minutes-pdf-job": page(everyone("405"), reads("meeting")),  # starts a job: a write
    # Check-in by the room code: any logged-in person to whom the meeting is visible.
    "meetings:checkin": page(users("ok"), visible_or_same("meeting")),
    "meetings:my-calendar": Expect(users("ok"), users("ok")),
    "meetings:calendar-feed": Expect(everyone("ok"), everyone("405|same"), SIDES),  # the token is the key
    "meetings:my-commitments": Expect(users("ok"), users("405|same")),
    "meetings:commitment-export-job": Expect(everyone("405"), only(COMMITMENT_READERS, "404")),
    "meetings:commitment-detail": read_only("commitment"),
    "meetings:commitment-progress": page(POST_ONLY, writes("commitment_write", "commitment")),
    "meetings:commitment-verify": page(POST_ONLY, writes("commitment_verify", "commitment")),
    "meetings:commitment-reopen": page(POST_ONLY, writes("commitment_verify", "commitment")),
    "meetings:commitment-quick-update": page(link_rule("403"), link_rule("403")),
    "meetings:evidence-download": read_only("commitment"),
    # --- trainings --------------------------------------------------------------------------
    "trainings:index": Expect(only(set(USERS) - {"norole"}), _post_refused(only(set(USERS) - {"norole"}))),
    "trainings:training-create": same(only(PROVINCE | {SUPER})),
    "trainings:training-detail": read_only("training"),
    "trainings:training-update": page(writes("training_write", "training")),
    "trainings:register": page(POST_ONLY, reads("training")),
    "trainings:cancel": page(POST_ONLY, reads("own")),
    "trainings:nominate": page(writes("training_nominate", "training")),
    "trainings:enrollment-list": Expect(
        writes("training_enrollments", "training"),
        _post_refused(writes("training_enrollments", "training")),
        SIDES,
    ),
    "trainings:decide": page(POST_ONLY, writes("training_write", "training")),
    # Exports, PDFs and certificates are made by the worker: a POST starts the job.
    "trainings:export-participants": page(POST_ONLY, writes("training_enrollments", "training")),
    "trainings:import-participants": page(writes("training_write", "training")),
    "trainings:scores": page(writes("training_write", "training")),
    "trainings:complete": page(POST_ONLY, writes("training_write", "training")),
    "trainings:session-create": page(writes("training_write", "training")),
    "trainings:session-update": page(writes("training_write", "training")),
    "trainings:session-attendance": page(writes("training_write", "training")),
    "trainings:session-qr": Expect(
        writes("training_write", "training"), _post_refused(writes("training_write", "training")), SIDES
    ),
    "trainings:session-checkin": page(reads("training")),
    "trainings:attendance-sheet": page(POST_ONLY, writes("training_write", "training")),
    "trainings:export-attendance": page(POST_ONLY, writes("training_write", "training")),
    "trainings:certificate": page(POST_ONLY, reads("certificate")),
    "trainings:certificate-verify": Expect(everyone("ok"), everyone("405|same"), SIDES),
    # --- admin: site-wide views -------------------------------------------------------------
    "admin:index": same(lambda p, s: "login" if p not in STAFF | {SUPER} else "ok"),
    "admin:logout": Expect(everyone("405|ok"), everyone("ok|login"), writes_ok=True),
    "admin:password_change": same(lambda p, s: "login" if p not in STAFF | {SUPER} else "ok"),
    "admin:password_change_done": Expect(
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok",
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok|405",
    ),
    "admin:autocomplete": Expect(
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok",
        lambda p, s: "login" if p not in STAFF | {SUPER} else "405|ok",
    ),
    "admin:jsi18n": Expect(
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok",
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok|405",
    ),
    # contenttypes' shortcut: a bare redirect to the object's page, which does the scope check.
    "admin:view_on_site": page(
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok",
        lambda p, s: "login" if p not in STAFF | {SUPER} else "ok",
    ),
    "admin:app_list": same(lambda p, s: "login" if p not in STAFF | {SUPER} else "ok"),
    "admin:catch_all": same(lambda p, s: "login" if p not in STAFF | {SUPER} else "404"),
    "admin:login": Expect(everyone("ok"), everyone("ok"), writes_ok=True),  # a failed login is recorded
}


def _admin_entries() -> None:
    """One entry per admin view of every registered model, from the rules above."""
    views = {
        "changelist": "changelist",
        "add": "add",
        "change": "change",
        "delete": "delete",
        "history": "history",
        "simple_history": "history_form",
        "object_redirect": "object_redirect",
        "import": "import",
        "process_import": "import",
        "export": "export",
    }
    for route in ROUTES:
        match = re.match(r"admin:(\w+?)_(\w+?)_(changelist|add|change|delete|history|simple_history|"
                         r"object_redirect|import|process_import|export)$", route.key)  # fmt: skip
        if not match or route.key in EXPECTED:
            continue
        app, model, view = match.groups()
        if route.key == "admin:auth_user_password_change":
            continue
        label = f"{app}.{model}"
        kind = views[view]
        # Object views, and the changelist (its action is tried on each side's object).
        scoped = label not in UNSCOPED_ADMIN and (route.params or view == "changelist")
        sides = SIDES if scoped else (None,)
        get_rule = admin_rule(label, kind)
        if view == "process_import":  # takes only the POST of the import's confirm form

            def get_rule(persona, side):
                return "login" if persona not in STAFF | {SUPER} else "405|403"

        EXPECTED[route.key] = Expect(get_rule, admin_post_rule(label, kind), sides)
    # Password of a user: the change right on users (nobody but the superuser has it).
    EXPECTED["admin:auth_user_password_change"] = Expect(
        admin_rule("portal.user", "delete"), admin_rule("portal.user", "delete"), SIDES
    )


_admin_entries()
