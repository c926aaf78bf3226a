"""The dashboard's cached aggregates (portal.dashboard), on the core's own numbers: the counts of
kecamatan and desa. Cached per scope, equal to a fresh count after every kind of change (a save,
an import by COPY, a bulk write), in Redis and in the embedded memory cache."""

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from portal import dashboard
from portal.models import Notification, Region, RoleAssignment, User
from portal.roles import Role
from portal.tests.test_settings import run_django
from portal.views import working_area

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")
LOCMEM = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard-test"}
}


@pytest.fixture(params=["configured", "embedded"])
def any_cache(request, settings):
    """Each test runs on the configured cache (Redis in CI) and on the embedded default."""
    if request.param == "embedded":
        settings.CACHES = LOCMEM


def shown(client) -> tuple[int, int]:
    context = client.get(DASHBOARD).context
    return context["n_kecamatan"], context["n_desa"]


def fresh(user) -> tuple[int, int]:
    counts = working_area(User.objects.get(pk=user.pk)).value
    return counts["n_kecamatan"], counts["n_desa"]


def raw_sql(statement: str, params=()) -> None:
    """A write the cache cannot see, to tell a cached number from a fresh one."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_counts_come_from_the_cache_until_a_region_changes(any_cache, client, camat_a):
    client.force_login(camat_a)
    before = shown(client)
    raw_sql(
        "INSERT INTO portal_region (code, name, level, parent_id) VALUES ('63.05.04.2099', 'X', 'desa', '63.05.04')"
    )
    assert shown(client) == before  # cached

    Region.objects.create(code="63.05.04.2098", name="Desa Baru", level="desa", parent_id="63.05.04")

    assert shown(client) == fresh(camat_a) == (before[0], before[1] + 2)


def test_an_import_by_copy_and_a_bulk_update_drop_the_counts(any_cache, client, camat_a, tmp_path):
    client.force_login(camat_a)
    before = shown(client)
    path = tmp_path / "regions.csv"
    path.write_text("code,name,level,parent_code\n63.05.04.2097,Desa Impor,desa,63.05.04\n", encoding="utf-8")

    call_command("import_regions", str(path))

    assert shown(client) == fresh(camat_a) == (before[0], before[1] + 1)
    Region.objects.filter(code="63.05.04.2097").update(level="kecamatan")
    assert shown(client) == fresh(camat_a) == (before[0] + 1, before[1])


def test_a_renamed_kecamatan_shows_its_new_name_at_once(any_cache, client, camat_a):
    client.force_login(camat_a)
    client.get(DASHBOARD)

    Region.objects.filter(code="63.05.04").update(name="Tapin Utara Baru")

    assert "Tapin Utara Baru" in client.get(DASHBOARD).content.decode()


def test_two_scopes_never_share_an_entry(any_cache, client, camat_a, camat_b, dppkb):
    Region.objects.create(code="63.05.01.2099", name="Desa Baru", level="desa", parent_id="63.05.01")
    seen = {}
    for user in (camat_a, camat_b, dppkb):
        client.force_login(user)
        shown(client)
        seen[user.username] = shown(client)

    assert seen == {user.username: fresh(user) for user in (camat_a, camat_b, dppkb)}
    assert seen["camat.tapinutara"] != seen["camat.binuang"]
    assert len({dashboard.scope_of(u, personal=False) for u in (camat_a, camat_b, dppkb)}) == 3


def test_a_scope_is_made_of_roles_organisation_and_person(demo, camat_a):
    twin = User.objects.create_user("camat.twin", full_name="Camat Kembar", organisation=camat_a.organisation)
    RoleAssignment.objects.create(user=twin, role=Role.CAMAT, region_id="63.05.04")
    twin = User.objects.get(pk=twin.pk)

    # The same roles share the numbers of a place, never what is personal.
    assert dashboard.scope_of(twin, personal=False) == dashboard.scope_of(camat_a, personal=False)
    assert dashboard.scope_of(twin) != dashboard.scope_of(camat_a)
    twin.organisation = demo.orgs["dinkes"]
    assert dashboard.scope_of(twin, personal=False) != dashboard.scope_of(camat_a, personal=False)
    twin.is_superuser = True
    assert dashboard.scope_of(twin, personal=False) == "['superuser', ('active', True)]"


def test_a_changed_role_shows_the_new_scope_at_once(any_cache, client, camat_a, dppkb):
    client.force_login(camat_a)
    shown(client)

    RoleAssignment.objects.filter(user=camat_a).update(region_id="63.05")

    assert shown(client) == fresh(dppkb) == fresh(camat_a)


@pytest.mark.django_db(transaction=True)
def test_versions_are_renewed_once_when_the_transaction_commits(any_cache):
    key = dashboard._version_key("portal.region")
    Region.objects.create(code="91", name="Papua", level="provinsi")  # autocommit: renewed at once
    before = cache.get(key)
    assert before is not None
    with transaction.atomic():
        for n in range(1, 4):
            Region.objects.create(code=f"91.0{n}", name=f"Kab. {n}", level="kabupaten", parent_id="91")
        # Other processes keep their entries until the commit (they cannot see the rows yet);
        # one renewal waits for it, however many rows were written.
        assert cache.get(key) == before
        assert len([f for _, f, _ in connection.run_on_commit if "dashboard" in f.__module__]) == 1

    assert cache.get(key) not in (before, None)


def test_a_process_reading_its_own_uncommitted_write_renews_first(any_cache, demo):
    key = dashboard._version_key("portal.region")
    cache.set(key, "old")
    Region.objects.create(
        code="63.05.04.2093", name="D", level="desa", parent_id="63.05.04"
    )  # in the test's transaction
    assert cache.get(key) == "old"

    dashboard.cached(demo.users["dppkb"], "x", lambda: dashboard.Cached(1), depends_on=[Region])

    assert cache.get(key) != "old"


def test_a_write_to_a_model_no_card_reads_touches_no_version(
    any_cache, demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        Notification.objects.filter(pk=0).update(title="x")
        dashboard.changed(Notification)

    assert callbacks == []


def test_caching_is_off_with_a_ttl_of_zero(client, camat_a, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(camat_a)
    before = shown(client)

    raw_sql(
        "INSERT INTO portal_region (code, name, level, parent_id) VALUES ('63.05.04.2099', 'X', 'desa', '63.05.04')"
    )

    assert shown(client) == (before[0], before[1] + 1)


def test_the_dashboard_works_when_the_cache_is_down(client, camat_a, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    client.force_login(camat_a)
    expected = fresh(camat_a)
    for name in ("get_many", "set", "set_many", "add"):
        monkeypatch.setattr(cache, name, down)

    assert shown(client) == expected
    Region.objects.create(code="63.05.04.2094", name="C", level="desa", parent_id="63.05.04")  # a write too
    assert shown(client) == (expected[0], expected[1] + 1)


def test_a_card_cannot_depend_on_a_model_nobody_watches(camat_a):
    with pytest.raises(ImproperlyConfigured):
        dashboard.cached(camat_a, "x", lambda: dashboard.Cached(1), depends_on=[Notification])


@pytest.mark.parametrize(("redis_url", "seconds"), [("", "0"), ("redis://127.0.0.1:6379/5", "120")])
def test_the_dashboard_is_cached_by_default_only_in_a_shared_cache(redis_url, seconds):
    # Without Redis each process has its own cache: the worker's writes (imports run there)
    # could not drop what the web process keeps.
    code = "from django.conf import settings; print(settings.DASHBOARD_CACHE_SECONDS)"
    result = run_django(code, DEBUG="True", REDIS_URL=redis_url)

    assert result.stdout.strip().splitlines()[-1] == seconds


def test_a_warm_dashboard_reads_every_card_in_one_round_trip(
    any_cache, client, camat_a, monkeypatch, settings
):
    client.force_login(camat_a)
    client.get(DASHBOARD)
    reads = []
    backend = type(caches["default"])
    real = backend.get_many

    def counted(self, keys, *args, **kwargs):
        if any(key.startswith(settings.DASHBOARD_CACHE_PREFIX) for key in keys):
            reads.append(list(keys))
        return real(self, keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", counted)

    client.get(DASHBOARD)

    assert len(reads) == 1
    names = {key.split(":")[-2] for key in reads[0] if ":v:" not in key}
    # The core's own entry and every app's card (the core names no app).
    assert "regions" in names and len(names) == len(dashboard._known) > 1
