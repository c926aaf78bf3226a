"""Reproducible national-scale data (issue 13): regions through the project's importer, then
organisations, people, meetings, commitments, trainings, audit cases and notifications with
COPY. Scale 1 is the full national size; Kabupaten Tapin (63.05) holds a heavy share so its
personas see long lists.

Run on the current database connection (the CLI makes and migrates a database first; the smoke
test runs it on the test database with one province)."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from audits import crypto
from audits.kka import CURRENT as KKA_CURRENT
from audits.models import AuditCase, AuditRound, AuditTeamMember, RoundDesa
from meetings.commitments.models import Commitment, CommitmentUpdate
from meetings.models import Attendance, Invitation, Meeting
from portal.models import Notification, Organisation, Region, RoleAssignment, User
from portal.regions import import_file
from portal.roles import Role
from trainings.models import Enrollment, Session, Training

from .copy import copy_rows, next_id, reset_sequences

TAPIN = "63.05"
TAPIN_SHARE = 0.05  # of meetings (so commitments), audit cases and notifications
PASSWORD = "bench-password"  # noqa: S105 - the generated accounts' password, for the page runs
FULL = {
    "meetings": 500_000,
    "commitments": 2_000_000,
    "audit_cases": 200_000,
    "enrollments": 100_000,
    "notifications": 5_000_000,
}
# The personas the page measurements log in as (all in Tapin; the superuser sees the country).
PERSONAS = {
    "camat": "camat-63.05.01",
    "dppkb": "dppkb-63.05",
    "opd": "focal-dinkes-63.05",
    "superuser": "bench-superuser",
    "pakar": "pakar-63.05",
}
KAB_OPDS = [
    ("dppkb", "DPPKB"),
    ("dinkes", "Dinas Kesehatan"),
    ("bappeda", "Bappeda"),
    ("dinsos", "Dinas Sosial"),
]
KEC_ORGS = [
    (Organisation.Kind.KANTOR_KECAMATAN, "Kantor Kecamatan"),
    (Organisation.Kind.PUSKESMAS, "Puskesmas"),
    (Organisation.Kind.TP_PKK, "TP PKK Kecamatan"),
    (Organisation.Kind.TPPS, "TPPS Kecamatan"),
]
WORDS = (
    "pendataan sasaran balita posyandu pemberian makanan tambahan sanitasi air bersih kelas ibu hamil "
    "pendampingan keluarga calon pengantin tablet tambah darah rujukan gizi buruk jamban sehat"
).split()


def sizes(scale: float) -> dict[str, int]:
    return {name: max(int(full * scale), 5) for name, full in FULL.items()}


@dataclass
class World:
    """Ids the later steps need, kept in memory (no lookups while generating)."""

    rng: random.Random
    today: date
    kabupaten: list[str] = field(default_factory=list)
    kecamatan_of: dict[str, list[str]] = field(default_factory=dict)
    desa_of: dict[str, list[str]] = field(default_factory=dict)
    province_org: dict[str, int] = field(default_factory=dict)
    kab_orgs: dict[str, dict[str, int]] = field(default_factory=dict)
    kec_orgs: dict[str, dict[str, int]] = field(default_factory=dict)
    org_region: dict[int, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    kab_people: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    org_contact: dict[int, int] = field(default_factory=dict)
    eligible: list[tuple[int, str]] = field(default_factory=list)  # (user id, kabupaten)

    def kab_of(self, code: str) -> str:
        return ".".join(code.split(".")[:2])

    def pick_kabupaten(self) -> str:
        """Tapin with its heavy share, else any kabupaten (uniform)."""
        if TAPIN in self.kecamatan_of and self.rng.random() < TAPIN_SHARE:
            return TAPIN
        return self.rng.choice(self.kabupaten)

    def text(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()


def generate(scale: float, *, seed: int = 13, regions: Path, log=print) -> dict[str, float]:
    """Fill the current (migrated, empty) database. Returns seconds per step."""
    world = World(rng=random.Random(seed), today=timezone.localdate())
    n = sizes(scale)
    timings: dict[str, float] = {}
    steps = [
        ("regions", lambda: import_file(regions)),
        ("organisations", lambda: organisations(world)),
        ("people", lambda: people(world)),
        ("meetings", lambda: meetings(world, n["meetings"])),
        ("commitments", lambda: commitments(world, n["commitments"])),
        ("trainings", lambda: trainings(world, n["enrollments"])),
        ("audits", lambda: audits(world, n["audit_cases"])),
        ("notifications", lambda: notifications(world, n["notifications"])),
        ("sequences", reset_all_sequences),
        ("analyze", analyze),
    ]
    for name, step in steps:
        start = time.perf_counter()
        result = step()
        timings[name] = round(time.perf_counter() - start, 2)
        log(f"  {name:<14} {timings[name]:8.1f} s  {result if isinstance(result, int) else ''}")
    return timings


def load_regions(world: World) -> None:
    rows = Region.objects.filter(level__in=["kabupaten", "kota", "kecamatan", "desa", "kelurahan"])
    kec, desa = defaultdict(list), defaultdict(list)
    for code, level in rows.values_list("code", "level").order_by("code"):
        if level in ("kabupaten", "kota"):
            world.kabupaten.append(code)
        elif level == "kecamatan":
            kec[code.rsplit(".", 1)[0]].append(code)
        else:
            desa[code.rsplit(".", 1)[0]].append(code)
    world.kecamatan_of = {k: kec.get(k, []) for k in world.kabupaten}
    world.kabupaten = [k for k in world.kabupaten if world.kecamatan_of[k]]
    world.desa_of = dict(desa)


def organisations(world: World) -> int:
    load_regions(world)
    ids = iter(range(next_id(Organisation), 10**9))
    rows = []

    def add(region: str, kind: str, name: str, short: str = "") -> int:
        pk = next(ids)
        rows.append((pk, name, short, kind, region, f"org{pk}@bench.invalid"))
        world.org_region[pk] = region
        return pk

    names = dict(
        Region.objects.filter(level__in=["provinsi", "kabupaten", "kota", "kecamatan"]).values_list(
            "code", "name"
        )
    )
    for province in sorted({k[:2] for k in world.kabupaten}):
        world.province_org[province] = add(
            province, Organisation.Kind.BKKBN, f"Perwakilan BKKBN {names.get(province, province)}"
        )
    for kab in world.kabupaten:
        orgs = {
            key: add(kab, Organisation.Kind.OPD, f"{label} {names[kab]}", label) for key, label in KAB_OPDS
        }
        orgs["tpps"] = add(kab, Organisation.Kind.TPPS, f"TPPS {names[kab]}")
        world.kab_orgs[kab] = orgs
        for kec in world.kecamatan_of[kab]:
            world.kec_orgs[kec] = {kind: add(kec, kind, f"{label} {names[kec]}") for kind, label in KEC_ORGS}
    return copy_rows(Organisation, ["id", "name", "short_name", "kind", "region_id", "email"], rows)


def people(world: World) -> int:
    password = make_password(PASSWORD)
    ids = iter(range(next_id(User), 10**9))
    users, roles, members = [], [], []
    groups = dict(Group.objects.values_list("name", "pk"))

    def add(
        username: str,
        full_name: str,
        jabatan: str,
        org: int | None,
        role: str,
        region: str | None,
        *,
        focal: bool = False,
    ) -> int:
        pk = next(ids)
        staff = role in (Role.DPPKB_ADMIN, Role.NOTULIS)
        users.append(
            (
                pk,
                username,
                password,
                full_name,
                jabatan,
                org,
                f"{username}@bench.invalid",
                staff,
                "628" + str(10**9 + pk),
            )
        )
        roles.append((pk, role, region, org if focal else None))
        if role in groups:
            members.append((pk, groups[role]))
        world.users[username] = pk
        if region:
            world.kab_people[world.kab_of(region)].append(pk)
        return pk

    add("bench-superuser", "Bench Superuser", "Administrator", None, "", None)
    roles.pop()
    for province, org in world.province_org.items():
        add(
            f"organiser-{province}",
            f"Penyelenggara {province}",
            "Widyaiswara",
            org,
            Role.TRAINING_ORGANISER,
            province,
        )
    for kab in world.kabupaten:
        orgs = world.kab_orgs[kab]
        add(f"dppkb-{kab}", f"Admin DPPKB {kab}", "Kepala Bidang", orgs["dppkb"], Role.DPPKB_ADMIN, kab)
        add(f"notulis-{kab}", f"Notulis {kab}", "Staf Sekretariat", orgs["tpps"], Role.NOTULIS, kab)
        add(f"pakar-{kab}", f"Dr. Pakar {kab}", "Dokter Spesialis Anak", None, Role.TIM_PAKAR, kab)
        for key, _label in KAB_OPDS:
            pk = add(
                f"focal-{key}-{kab}",
                f"Focal {key} {kab}",
                "Analis",
                orgs[key],
                Role.OPD_FOCAL,
                kab,
                focal=True,
            )
            world.org_contact[orgs[key]] = pk
        for kec in world.kecamatan_of[kab]:
            orgs = world.kec_orgs[kec]
            for role, org, title in (
                (Role.CAMAT, Organisation.Kind.KANTOR_KECAMATAN, "Camat"),
                (Role.KEPALA_PUSKESMAS, Organisation.Kind.PUSKESMAS, "Kepala Puskesmas"),
                (Role.KETUA_PKK, Organisation.Kind.TP_PKK, "Ketua TP PKK"),
            ):
                pk = add(f"{role.replace('_', '')[:6]}-{kec}", f"{title} {kec}", title, orgs[org], role, kec)
                world.eligible.append((pk, kab))
    # The camat persona's username is fixed: PERSONAS["camat"].
    count = copy_rows(
        User,
        [
            "id",
            "username",
            "password",
            "full_name",
            "jabatan",
            "organisation_id",
            "email",
            "is_staff",
            "phone",
        ],
        ((pk, u, p, f, j, o, e, s or u == "bench-superuser", ph) for pk, u, p, f, j, o, e, s, ph in users),
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE portal_user SET is_superuser = true WHERE username = 'bench-superuser'")
    copy_rows(RoleAssignment, ["user_id", "role", "region_id", "organisation_id"], roles)
    copy_rows(User.groups.through, ["user_id", "group_id"], members)
    return count


def meetings(world: World, total: int) -> int:
    """Meetings over two years back and half a year ahead, each with its invitations (the
    region's bodies) and, once held, the attendance list; one showcase meeting in Tapin invites
    hundreds (the meeting detail measured)."""
    rng, now = world.rng, timezone.now()
    first = next_id(Meeting)
    world.meetings = []  # type: ignore[attr-defined]
    meeting_rows, organisers, invitations, attendance = [], [], [], []
    invitation_id = iter(range(next_id(Invitation), 10**10))
    for i in range(total):
        pk = first + i
        kab = world.pick_kabupaten()
        showcase = i == 0 and TAPIN in world.kab_orgs
        if showcase:
            kab = TAPIN
        kec = None if showcase or rng.random() < 0.3 else rng.choice(world.kecamatan_of[kab])
        start = (
            now + timedelta(days=1)
            if showcase
            else now + timedelta(minutes=rng.randint(-730 * 1440, 180 * 1440))
        )
        start = start.replace(minute=0, second=0, microsecond=0)
        past = start < now
        status = rng.choices(
            ["held", "minutes_approved", "cancelled"] if past else ["scheduled", "draft", "cancelled"],
            [60, 35, 5] if past else [85, 10, 5],
        )[0]
        if showcase:
            status = "scheduled"  # after the draw, so the sequence of random numbers is unchanged
        region = kec or kab
        tpps = (world.kec_orgs[kec] if kec else world.kab_orgs[kab])[
            Organisation.Kind.TPPS if kec else "tpps"
        ]
        meeting_rows.append(
            (
                pk,
                rng.choice(["rakor", "rembuk", "diseminasi", "rakor"]),
                f"Rakor TPPS {region} #{i}",
                region,
                start,
                start + timedelta(hours=2),
                "luring",
                "Aula Kantor",
                status,
                f"{pk % 999999:06d}",
                world.users[f"dppkb-{kab}"],
            )
        )
        organisers.append((pk, tpps))
        if kec:
            invited = [world.kec_orgs[kec][k] for k, _label in KEC_ORGS[:3]] + [world.kab_orgs[kab]["dinkes"]]
        elif showcase:
            invited = [*world.kab_orgs[kab].values()] + [
                o for k in world.kecamatan_of[kab] for o in world.kec_orgs[k].values()
            ]
        else:
            invited = [world.kab_orgs[kab][k] for k, _label in KAB_OPDS] + [
                world.kec_orgs[rng.choice(world.kecamatan_of[kab])][Organisation.Kind.PUSKESMAS]
            ]
        invited = list(dict.fromkeys(invited))
        for org in invited:
            inv = next(invitation_id)
            answered = past or rng.random() < 0.5
            invitations.append(
                (
                    inv,
                    pk,
                    None,
                    org,
                    rng.choice(["hadir", "hadir", "izin", "diwakilkan"]) if answered else "pending",
                    region,
                )
            )
            if past and status != "cancelled":
                contact = world.org_contact.get(org)
                attendance.append(
                    (
                        pk,
                        inv,
                        contact,
                        f"Peserta {org}",
                        "Staf",
                        f"Instansi {org}",
                        rng.choice(["hadir", "hadir", "hadir", "izin"]),
                    )
                )
        if showcase:
            for person in rng.sample(world.kab_people[kab], min(300, len(world.kab_people[kab]))):
                invitations.append((next(invitation_id), pk, person, None, "pending", region))
        world.meetings.append((pk, kab, kec, start, status))
    copy_rows(
        Meeting,
        [
            "id",
            "kind",
            "title",
            "region_id",
            "start",
            "end",
            "mode",
            "venue",
            "status",
            "checkin_code",
            "created_by_id",
        ],
        meeting_rows,
    )
    copy_rows(Meeting.organisers.through, ["meeting_id", "organisation_id"], organisers)
    copy_rows(
        Invitation,
        ["id", "meeting_id", "person_id", "organisation_id", "response", "meeting_region_id"],
        invitations,
    )
    copy_rows(
        Attendance,
        ["meeting_id", "invitation_id", "person_id", "name", "jabatan", "instansi", "status"],
        attendance,
    )
    return total


def commitments(world: World, total: int) -> int:
    """Commitments of non-draft meetings, owned by a body of the meeting's kabupaten; open ones
    past their date are overdue; about one progress update each."""
    rng, today = world.rng, world.today
    held = [m for m in world.meetings if m[4] not in ("draft", "cancelled")]
    first = next_id(Commitment)

    def rows():
        for i in range(total):
            meeting, kab, kec, start, _status = rng.choice(held)
            if kec:
                owner = world.kec_orgs[kec][rng.choice(KEC_ORGS[:3])[0]]
            else:
                owner = world.kab_orgs[kab][rng.choice(KAB_OPDS)[0]]
            due = start.date() + timedelta(days=rng.randint(7, 120))
            if due >= today:
                status = rng.choice(["open", "in_progress"])
            else:
                status = rng.choices(
                    ["open", "in_progress", "done", "verified", "cancelled"], [25, 15, 25, 30, 5]
                )[0]
            progress = {"open": 0, "in_progress": 50, "done": 100, "verified": 100, "cancelled": 0}[status]
            yield (
                first + i,
                meeting,
                world.text(12),
                rng.choice(["spesifik", "sensitif", "none"]),
                owner,
                world.org_contact.get(owner),
                due,
                status,
                progress,
                world.users[f"dppkb-{kab}"],
                kec or kab,
                world.org_region[owner],
            )

    count = copy_rows(
        Commitment,
        [
            "id",
            "meeting_id",
            "description",
            "intervention_type",
            "owner_id",
            "pic_id",
            "due_date",
            "status",
            "progress",
            "created_by_id",
            "meeting_region_id",
            "owner_region_id",
        ],
        rows(),
    )
    rng2 = random.Random(rng.random())
    now = timezone.now()

    def updates():
        for i in range(total):
            for k in range(rng2.choice([0, 1, 1, 2])):
                yield (
                    first + i,
                    None,
                    f"Progres tahap {k + 1}",
                    50 * (k + 1),
                    "open" if k == 0 else "in_progress",
                    "in_progress",
                    now - timedelta(days=rng2.randint(1, 400)),
                )

    copy_rows(
        CommitmentUpdate,
        ["commitment_id", "author_id", "note", "percent", "status_from", "status_to", "created_at"],
        updates(),
    )
    world.commitment_range = (first, first + total)  # type: ignore[attr-defined]
    return count


def trainings(world: World, enrollments: int) -> int:
    """Trainings by the provincial BKKBN offices, about 100 enrollments each, three sessions."""
    rng, today, now = world.rng, world.today, timezone.now()
    count = max(enrollments // 100, 3)
    first = next_id(Training)
    provinces = sorted(world.province_org)
    by_province = defaultdict(list)
    for person, kab in world.eligible:
        by_province[kab[:2]].append((person, kab))
    rows, sessions, enrolled = [], [], []
    per_training = max(enrollments // count, 1)
    for i in range(count):
        province = "63" if i % 5 == 0 and "63" in by_province else rng.choice(provinces)
        start = today + timedelta(days=rng.randint(-365, 120))
        opens = now - timedelta(days=60) if start > today else now - timedelta(days=400)
        closes = timezone.make_aware(datetime.combine(start, datetime.min.time())) - timedelta(days=1)
        rows.append(
            (
                first + i,
                f"Pelatihan Pendampingan Keluarga {i}",
                world.province_org[province],
                "blended",
                start,
                start + timedelta(days=2),
                str(i),
                150,
                opens,
                closes,
                "Aula BKKBN",
            )
        )
        for d in range(3):
            sessions.append(
                (
                    first + i,
                    start + timedelta(days=min(d, 2)),
                    datetime.min.time().replace(hour=8 + d),
                    datetime.min.time().replace(hour=10 + d),
                    "luring",
                    f"Sesi {d + 1}",
                )
            )
        pool = by_province[province]
        for person, kab in rng.sample(pool, min(per_training, len(pool))):
            status = rng.choices(
                ["confirmed", "pending", "waitlisted", "cancelled", "completed"], [60, 10, 10, 5, 15]
            )[0]
            enrolled.append((first + i, person, kab, status))
    copy_rows(
        Training,
        [
            "id",
            "title",
            "organiser_id",
            "mode",
            "start_date",
            "end_date",
            "cohort",
            "capacity",
            "registration_opens",
            "registration_closes",
            "venue",
        ],
        rows,
    )
    copy_rows(Session, ["training_id", "date", "start_time", "end_time", "mode", "topic"], sessions)
    return copy_rows(Enrollment, ["training_id", "person_id", "kabupaten_id", "status"], enrolled)


def audits(world: World, total: int) -> int:
    """AKS rounds (two years, two semesters) for as many kabupaten as the cases need, Tapin
    first; the pakar of the kabupaten on every round's team. NIK and name are encrypted once
    for a pool of 50 people and the ciphertexts reused (encryption costs ~50 us a row)."""
    rng, today = world.rng, world.today
    pool = []
    for k in range(50):
        nik = f"630501{(k % 28) + 1:02d}{(k % 12) + 1:02d}90{k:04d}"  # 16 digits: region, DDMMYY, serial
        pool.append(
            (
                crypto.encrypt(nik),
                crypto.nik_hash(nik),
                crypto.mask_nik(nik),
                crypto.encrypt(f"Nama Sasaran {k}"),
            )
        )
    rounds_needed = max(total // 100, 4)
    kabs = [TAPIN] if TAPIN in world.kab_orgs else []
    kabs += [k for k in world.kabupaten if k != TAPIN][: max(rounds_needed // 4 - len(kabs), 0)]
    first_round = next_id(AuditRound)
    round_rows, team, round_ids = [], [], defaultdict(list)
    pk = first_round
    for kab in kabs:
        for year, semester in ((today.year - 1, 1), (today.year - 1, 2), (today.year, 1), (today.year, 2)):
            round_rows.append(
                (
                    pk,
                    kab,
                    year,
                    semester,
                    "kunjungan",
                    today + timedelta(days=30),
                    world.users[f"dppkb-{kab}"],
                )
            )
            team.append((pk, world.users[f"pakar-{kab}"], "tim_pakar", "Dokter spesialis anak"))
            round_ids[kab].append(pk)
            pk += 1
    copy_rows(
        AuditRound,
        ["id", "kabupaten_id", "year", "semester", "stage", "visits_due", "created_by_id"],
        round_rows,
    )
    copy_rows(AuditTeamMember, ["round_id", "user_id", "part", "expertise"], team)
    groups = ["catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"]
    numbers: dict[int, int] = defaultdict(int)
    coverage: dict[tuple[int, str], str] = {}

    def cases():
        for _ in range(total):
            kab = TAPIN if kabs and kabs[0] == TAPIN and rng.random() < TAPIN_SHARE else rng.choice(kabs)
            round_id = rng.choice(round_ids[kab])
            kec = rng.choice(world.kecamatan_of[kab])
            desa = rng.choice(world.desa_of.get(kec) or [kec])
            numbers[round_id] += 1
            coverage[(round_id, desa)] = kec
            enc, digest, masked, name = rng.choice(pool)
            group = rng.choice(groups)
            yield (
                round_id,
                numbers[round_id],
                desa,
                world.kec_orgs[kec][Organisation.Kind.PUSKESMAS],
                group,
                today - timedelta(days=rng.randint(1, 300)),
                enc,
                digest,
                masked,
                name,
                rng.randint(18, 40),
                KKA_CURRENT[group],
            )

    count = copy_rows(
        AuditCase,
        [
            "round_id",
            "number",
            "desa_id",
            "puskesmas_id",
            "target_group",
            "visit_date",
            "nik_encrypted",
            "nik_hash",
            "nik_masked",
            "name_encrypted",
            "age",
            "form_version",
        ],
        cases(),
    )
    copy_rows(
        RoundDesa,
        ["round_id", "desa_id", "kecamatan_id", "status"],
        ((r, d, k, "dikunjungi") for (r, d), k in coverage.items()),
    )
    return count


# What became of an outbox row that was not sent: every generated row is due in the past, and a
# running dispatcher marks such a row missed after its grace window (or it was cancelled, or its
# attempts failed). Left 'scheduled', a row 400 days late is a state no running portal has, and
# the reminder scan's first run cancelled thousands of them (keys no rule writes) for nothing.
NOT_SENT = ("missed", "cancelled", "failed")


def notifications(world: World, total: int) -> int:
    """The outbox as a running portal's dispatcher leaves it: mostly sent in-app and e-mail
    messages about commitments, the rest missed, cancelled or failed (NOT_SENT); the Tapin
    personas receive a heavy share (their unread count and list). What is still to be sent is
    the reminder scan's, which writes it on its first run as at a portal's start."""
    rng, now = world.rng, timezone.now()
    ctype = ContentType.objects.get_for_model(Commitment).pk
    first, last = getattr(world, "commitment_range", (1, 2))
    heavy = [world.users[u] for u in PERSONAS.values() if u in world.users]
    everyone = list(world.users.values())

    def rows():
        for i in range(total):
            recipient = rng.choice(heavy) if heavy and rng.random() < TAPIN_SHARE else rng.choice(everyone)
            source = rng.randrange(first, last)
            at = now - timedelta(minutes=rng.randint(0, 400 * 1440))
            channel = "inapp" if i % 2 else "email"
            state = "sent" if rng.random() < 0.95 else NOT_SENT[i // 2 % len(NOT_SENT)]
            read = (
                at + timedelta(hours=3)
                if channel == "inapp" and state == "sent" and rng.random() < 0.7
                else None
            )
            yield (
                f"bench:{i}",
                f"commitment_due:h-3:{at:%Y-%m-%d}",
                channel,
                recipient,
                ctype,
                str(source),
                at,
                state,
                at if state == "sent" else None,
                read,
                at,
                "Pengingat tenggat komitmen",
                "Komitmen Anda jatuh tempo dalam 3 hari.",
                f"/meetings/commitments/{source}/",
            )

    return copy_rows(
        Notification,
        [
            "key",
            "rule",
            "channel",
            "recipient_id",
            "source_type_id",
            "source_id",
            "send_at",
            "state",
            "sent_at",
            "read_at",
            "due_at",
            "title",
            "body",
            "url",
        ],
        rows(),
    )


def reset_all_sequences() -> None:
    reset_sequences(Organisation, User, Meeting, Invitation, Commitment, Training, AuditRound)


def analyze() -> None:
    # VACUUM too: as autovacuum would, it sets the visibility map, so counts read indexes only.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
