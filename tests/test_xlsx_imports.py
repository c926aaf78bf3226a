"""Every XLSX import of the apps reads with calamine (portal.spreadsheets): the commitments'
admin import, an AKS round's cases and a training's participants."""

from __future__ import annotations

from django.contrib import admin
from import_export.formats import base_formats

import audits.resources
import trainings.resources
from meetings.commitments.models import Commitment
from portal import spreadsheets


def test_the_commitments_admin_import_reads_xlsx_with_calamine():
    formats = admin.site.get_model_admin(Commitment).get_import_formats()

    assert spreadsheets.XLSX in formats
    assert base_formats.XLSX not in formats


def test_the_audit_and_training_imports_read_with_calamine():
    assert audits.resources.read_xlsx is spreadsheets.read_xlsx
    assert trainings.resources.read_xlsx is spreadsheets.read_xlsx
