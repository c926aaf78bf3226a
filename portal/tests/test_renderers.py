"""The form renderer writes <select> itself: the markup is exactly Django's templates'."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from portal.renderers import FormRenderer

CHOICES = [
    ("", "---------"),
    ("a&b", 'Tom & "Jerry" <b>'),
    (3, gettext_lazy("Yes")),
    (4, mark_safe("<i>safe</i>")),
    (5, 12345),
    (6, datetime.date(2026, 1, 31)),
    ("Group <1>", [("g1", "In a group"), ("g2", "Also")]),
]


class OwnOptionTemplate(forms.Select):
    option_template_name = "django/forms/widgets/input.html"


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES)
    chosen = forms.ChoiceField(choices=CHOICES, initial="a&b", required=False)
    attrs = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": "form-select", "disabled": True, "data-x": 'q"uote', "hidden": False}
        ),
    )
    many = forms.MultipleChoiceField(choices=CHOICES, initial=["g1", 3])
    empty = forms.ChoiceField(choices=[])
    yes_no = forms.NullBooleanField()
    own = forms.ChoiceField(choices=CHOICES, widget=OwnOptionTemplate)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", list(Everything.base_fields))
def test_select_markup_is_the_templates(name, language):
    with override(language):
        form = Everything(prefix="f<x>")
        field = form[name]
        ours = field.as_widget(attrs={"aria-describedby": "help"})
        form.renderer = DjangoTemplates()
        theirs = form[name].as_widget(attrs={"aria-describedby": "help"})
    assert ours == theirs
    assert "<select" in ours


def test_a_bound_form_with_errors_renders_the_same():
    form = Everything(data={"plain": "nope", "many": ["a&b", "zz"]})
    form.is_valid()
    ours = str(form)
    form.renderer = DjangoTemplates()
    assert ours == str(form)


def test_the_portal_uses_it(settings):
    assert isinstance(Everything().renderer, FormRenderer)
