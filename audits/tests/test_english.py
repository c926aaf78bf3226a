"""In English, the AKS pages speak English: stage, target-group, team-part and cause labels are
translatable strings (English msgid, Indonesian msgstr), none left in Indonesian."""

import pytest
from django.urls import reverse
from django.utils import translation

from audits.catalogue import RISK_FACTORS, risk_factor_label
from audits.kka import TargetGroup
from audits.models import AuditRound, AuditTeamMember

from .factories import make_case

pytestmark = pytest.mark.django_db

INDONESIAN_STAGES = [
    "Pembentukan tim", "Seleksi kasus", "Kunjungan &amp; KKA", "Kajian tim pakar", "Diseminasi",
    "Tindak lanjut", "Evaluasi RTL", "Laporan semester",
]  # fmt: skip


def test_the_round_page_in_english_has_no_indonesian_stage_label(client, english, dppkb, audit_round, teknis):
    make_case(audit_round, teknis)
    client.force_login(dppkb)
    html = client.get(reverse("audits:round-detail", args=[audit_round.pk])).content.decode()
    assert "Team formation" in html and "Semester report" in html
    for label in INDONESIAN_STAGES:
        assert label not in html, label
    assert "Expert panel (tim pakar)" in html and "Tim pakar" not in html
    assert "Calon pengantin" not in html and "Ibu hamil" not in html


def test_every_label_has_its_indonesian_translation():
    with translation.override("id"):
        assert [AuditRound.Stage(s).label for s in AuditRound.Stage.values] == [
            "Pembentukan tim", "Seleksi kasus", "Kunjungan & KKA", "Kajian tim pakar", "Diseminasi",
            "Tindak lanjut", "Evaluasi RTL", "Laporan semester",
        ]  # fmt: skip
        assert str(TargetGroup.IBU_HAMIL.label) == "Ibu hamil"
        assert str(AuditTeamMember.Part.TIM_PAKAR.label) == "Tim pakar"
        assert [risk_factor_label(name) for name, _kind, _groups in RISK_FACTORS] == [
            name for name, _kind, _groups in RISK_FACTORS
        ]
    with translation.override("en"):
        assert risk_factor_label("Kemiskinan") == "Poverty"
        assert risk_factor_label("Cause added in admin") == "Cause added in admin"
