from django.db import migrations

# The domain brief's causes (penyebab langsung / tidak langsung); editable in admin afterwards.
ALL = []
MOTHERS = ["catin", "ibu_hamil", "ibu_nifas"]
CHILDREN = ["baduta", "balita"]
RISK_FACTORS = [
    ("Asupan gizi tidak adekuat", "langsung", ALL),
    ("Penyakit infeksi", "langsung", ALL),
    ("Pola asuh tidak tepat", "tidak_langsung", ["ibu_nifas", *CHILDREN]),
    ("Akses layanan kesehatan terbatas", "tidak_langsung", ALL),
    ("Air minum tidak layak", "tidak_langsung", ALL),
    ("Sanitasi tidak layak", "tidak_langsung", ALL),
    ("Kerawanan pangan", "tidak_langsung", ALL),
    ("Kemiskinan", "tidak_langsung", ALL),
    ("Pendidikan rendah", "tidak_langsung", ALL),
    ("4T: terlalu muda", "tidak_langsung", MOTHERS),
    ("4T: terlalu tua", "tidak_langsung", MOTHERS),
    ("4T: terlalu dekat", "tidak_langsung", ["ibu_hamil", "ibu_nifas"]),
    ("4T: terlalu banyak", "tidak_langsung", ["ibu_hamil", "ibu_nifas"]),
]

# No one edits or deletes the NIK access log, not even with SQL from the application's role.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audits_nikaccesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The NIK access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audits_nikaccesslog_append_only
    BEFORE UPDATE OR DELETE ON audits_nikaccesslog
    FOR EACH ROW EXECUTE FUNCTION audits_nikaccesslog_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audits_nikaccesslog_append_only ON audits_nikaccesslog;
DROP FUNCTION IF EXISTS audits_nikaccesslog_append_only();
"""


def seed(apps, schema_editor):
    RiskFactor = apps.get_model("audits", "RiskFactor")
    for name, kind, groups in RISK_FACTORS:
        RiskFactor.objects.get_or_create(name=name, defaults={"kind": kind, "target_groups": groups})


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_rounds_cases_recommendations")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
