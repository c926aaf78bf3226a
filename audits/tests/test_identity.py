"""NIK and name: checked, encrypted at rest, matched on a keyed hash, masked by default, shown in
full only to the round's team and the DPPKB admin, each view logged in an append-only log."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from audits import crypto
from audits.checks import keys_check
from audits.models import AuditCase, NikAccessLog
from audits.nik import validate_nik

from .factories import make_case, make_round, nik_for

pytestmark = pytest.mark.django_db
NIK = "6305045205980001"  # Tapin Utara, woman born 12-05-1998


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("630504520598001", "16 digits"),
        ("63050452059800A1", "16 digits"),
        ("6301045205980001", "must start with 6305"),
        ("6305043205980001", "not a real date"),  # day 32
        ("6305047205980001", "not a real date"),  # woman, day 72 - 40 = 32
        ("6305041213980001", "not a real date"),  # month 13
        ("6305045205980000", "0000"),
    ],
)
def test_a_wrong_nik_is_refused_with_a_clear_message(nik, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as error:
        validate_nik(nik, "63.05")
    assert message in str(error.value)


def test_a_nik_with_spaces_or_dots_is_normalised_and_women_have_forty_added_to_the_day():
    assert validate_nik("6305 0452 0598 0001", "63.05") == NIK
    assert validate_nik("6305041205980001", "63.05") == "6305041205980001"


def test_nik_and_name_are_encrypted_at_rest_and_hashed_with_the_key(audit_round, teknis):
    case = make_case(audit_round, teknis, name="Siti Rahmah")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nik_encrypted, name_encrypted, nik_hash FROM audits_auditcase WHERE id = %s", [case.pk]
        )
        nik_raw, name_raw, nik_hash = cursor.fetchone()
    assert case.nik not in nik_raw and "Siti" not in name_raw
    assert case.nik not in nik_hash and len(nik_hash) == 64
    stored = AuditCase.objects.get(pk=case.pk)
    assert (stored.nik, stored.name, stored.nik_masked) == (
        case.nik,
        "Siti Rahmah",
        f"{case.nik[:4]}********{case.nik[-4:]}",
    )
    history = stored.history.first()
    assert not hasattr(history, "nik_encrypted")


def test_the_same_person_has_the_same_hash_in_another_round(audit_round, teknis, dppkb):
    first = make_case(audit_round, teknis, serial=7)
    second_round = make_round(dppkb, teknis=teknis, semester=2)
    second = make_case(second_round, teknis, serial=7)
    assert first.nik_hash == second.nik_hash
    assert AuditCase.objects.filter(nik_hash=crypto.nik_hash(nik_for(serial=7))).count() == 2


def test_lists_and_the_case_page_show_the_nik_masked_and_log_nothing(client, audit_round, teknis, dppkb):
    case = make_case(audit_round, teknis)
    client.force_login(dppkb)
    for url in (audit_round.get_absolute_url(), case.get_absolute_url()):
        html = client.get(url).content.decode()
        assert case.nik_masked in html and case.nik not in html
    assert NikAccessLog.objects.count() == 0


@pytest.mark.parametrize("who", ["dppkb", "pakar", "teknis"])
def test_the_team_and_the_dppkb_admin_see_the_full_nik_and_each_view_is_logged(
    client, audit_round, teknis, who, request
):
    case = make_case(audit_round, teknis, name="Siti Rahmah")
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(reverse("audits:case-reveal", args=[case.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.nik in html and "Siti Rahmah" in html
    assert response["Cache-Control"] == "no-store"
    entry = NikAccessLog.objects.get()
    assert (entry.user, entry.case, entry.ip_address) == (user, case, "10.1.2.3")


@pytest.mark.parametrize("who", ["notulis", "camat_a", "camat_b", "kapus_outsider", "dinkes", "outsider"])
def test_others_never_see_a_case_or_its_nik(client, dppkb, pakar, who, request, demo):
    from portal.models import User

    teknis = User.objects.create_user("tpk.keramat", password="x")
    audit_round = make_round(dppkb, pakar=pakar, teknis=teknis)
    case = make_case(audit_round, teknis)
    user = request.getfixturevalue("kapus") if who == "kapus_outsider" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.post(reverse("audits:case-reveal", args=[case.pk])).status_code == 404
    assert NikAccessLog.objects.count() == 0


def test_the_access_log_cannot_be_changed_or_deleted(audit_round, teknis, dppkb):
    case = make_case(audit_round, teknis)
    entry = NikAccessLog.objects.create(case=case, user=dppkb, ip_address="10.0.0.1")
    entry.ip_address = "10.9.9.9"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        NikAccessLog.objects.filter(pk=entry.pk).update(ip_address="10.9.9.9")
    with pytest.raises(PermissionError):
        NikAccessLog.objects.all().delete()
    assert NikAccessLog.objects.get().ip_address == "10.0.0.1"


@pytest.mark.postgres
def test_the_database_refuses_to_change_the_access_log_even_with_raw_sql(audit_round, teknis, dppkb):
    case = make_case(audit_round, teknis)
    entry = NikAccessLog.objects.create(case=case, user=dppkb, ip_address="10.0.0.1")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audits_nikaccesslog SET ip_address = '10.9.9.9' WHERE id = %s", [entry.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audits_nikaccesslog WHERE id = %s", [entry.pk])
    assert NikAccessLog.objects.get().ip_address == "10.0.0.1"


def test_rotating_the_keys_re_encrypts_every_case_under_the_new_key(audit_round, teknis, settings):
    old_key = settings.AUDITS_FERNET_KEYS
    case = make_case(audit_round, teknis, name="Siti Rahmah")
    nik = case.nik
    before = AuditCase.objects.get(pk=case.pk).nik_encrypted
    new_key = Fernet.generate_key().decode()
    settings.AUDITS_FERNET_KEYS = f"{new_key},{old_key}"
    call_command("rotate_audit_keys", stdout=open("/dev/null", "w"))
    stored = AuditCase.objects.get(pk=case.pk)
    assert stored.nik_encrypted != before
    settings.AUDITS_FERNET_KEYS = new_key  # the old key is gone
    assert (stored.nik, stored.name) == (nik, "Siti Rahmah")
    assert stored.nik_hash == case.nik_hash


def test_without_keys_and_debug_off_the_portal_refuses_to_start_and_to_encrypt(settings, monkeypatch):
    settings.DEBUG = False
    settings.AUDITS_FERNET_KEYS = ""
    settings.AUDITS_NIK_HMAC_KEY = ""
    monkeypatch.delenv("AUDITS_FERNET_KEYS", raising=False)
    monkeypatch.delenv("AUDITS_NIK_HMAC_KEY", raising=False)
    assert [e.id for e in keys_check()] == ["audits.E001"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt(NIK)
    settings.DEBUG = True  # development: keys derived from SECRET_KEY
    assert keys_check() == []
    assert crypto.decrypt(crypto.encrypt(NIK)) == NIK
