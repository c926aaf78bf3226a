"""get_FOO_display() read from a table per field and language (portal.choice_labels) gives what
Django's own gives, for every choice field of the project's models, in each language."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

from portal.choice_labels import ChoiceLabelsMixin


def choice_fields():
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_config.name.split(".")[0] in {"portal", "meetings", "trainings", "audits"}
        and not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_every_choice_field_of_the_projects_models_reads_its_labels_from_the_table():
    fields = choice_fields()
    assert len(fields) > 20
    missing = sorted({model.__name__ for model, _ in fields if not issubclass(model, ChoiceLabelsMixin)})
    assert missing == []


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_labels_are_djangos_own_in_each_language(language):
    compared = 0
    with translation.override(language):
        for model, field in choice_fields():
            values = [value for value, _ in field.flatchoices] + ["not-a-choice", None]
            for value in values:
                row = model(**{field.attname: value})
                shown = getattr(row, f"get_{field.name}_display")()
                assert shown == models.Model._get_FIELD_display(row, field), (model, field.name, value)
                compared += 1
    assert compared > 100


def test_a_label_follows_the_active_language():
    from meetings.models import Meeting

    meeting = Meeting(status=Meeting.Status.HELD)
    with translation.override("en"):
        english = meeting.get_status_display()
    with translation.override("id"):
        indonesian = meeting.get_status_display()
    with translation.override("en"):
        assert meeting.get_status_display() == english
    assert (english, indonesian) == ("Held", "Telah dilaksanakan")
