"""The form renderer: Django's, with <select> written in Python.

Django renders a select from a template that includes a template per option (and one more
for each option's attributes): a list of 150 people cost about 6 ms of template rendering on
the audit round page (its team form) at full scale. The markup here is exactly the
templates' (portal/tests/test_renderers.py compares both), so crispy forms and the admin
see no difference. A widget with its own option template still goes through the templates."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT_TEMPLATE else None
        if widget is not None and all(
            option["template_name"] == OPTION_TEMPLATE
            for _group, options, _index in widget["optgroups"]
            for option in options
        ):
            return render_select(widget)
        return super().render(template_name, context, request)


def render_select(widget: dict) -> str:
    """django/forms/widgets/select.html (with select_option.html and attrs.html), as a string."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            value = escape(_stringformat(option["value"]))
            parts.append(
                f'\n  <option value="{value}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips the template's last newline
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def _text(value) -> str:
    """{{ value }}: localized, then escaped unless already safe."""
    if not isinstance(value, str):
        value = str(localize(template_localtime(value)))
    return conditional_escape(value)


def _stringformat(value) -> str:
    """{{ value|stringformat:'s' }} (before escaping)."""
    try:
        return "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        return ""


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{escape(_stringformat(value))}"')
    return "".join(out)
