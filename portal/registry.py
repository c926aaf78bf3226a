"""What each app declares about itself in its AppConfig, collected here.

The core never imports an app by name. An app's `apps.py` may set:

    dashboard_card = "app.dashboard.dashboard_card"  # callable(user) -> card dict or None
    role_permissions = {"camat": ["app.view_thing", ...]}  # role code -> "app_label.codename"
    navigation = "app.navigation.nav_entries"  # callable(user) -> list[NavEntry]
    reminder_options = "app.reminders.OPTIONS"  # list[ReminderOption]

and the core shows the card, gives the role groups the permissions (after every
migrate), adds the menu entries and offers the options in the Reminder settings admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavEntry:
    """One item of the main menu; `key` marks it active, `order` places it among the apps'."""

    label: str
    url: str
    key: str
    order: int = 100


@dataclass(frozen=True)
class ReminderOption:
    """A number of days (or hours) an app's reminder rules use, edited in the admin.

    A tuple `default` makes a list of numbers (e.g. the lead days 7,3,1,0): read it with
    `reminder_days`. `minimum` and `maximum` bound each number.
    """

    name: str
    label: str
    default: int | tuple[int, ...]
    help_text: str = ""
    minimum: int = 0
    maximum: int = 365

    @property
    def many(self) -> bool:
        return isinstance(self.default, tuple)

    def parse(self, text: str) -> int | tuple[int, ...]:
        """The stored text as a value; ValueError when it is not one."""
        parts = [part.strip() for part in str(text).split(",")] if self.many else [str(text).strip()]
        if not parts or not all(part.isdigit() for part in parts):
            raise ValueError(text)
        numbers = [int(part) for part in parts]
        if not all(self.minimum <= n <= self.maximum for n in numbers):
            raise ValueError(text)
        return tuple(numbers) if self.many else numbers[0]

    def format(self, value: int | tuple[int, ...]) -> str:
        return ",".join(str(n) for n in value) if self.many else str(value)


def _configs_with(attribute: str) -> Iterator[tuple[AppConfig, object]]:
    for config in apps.get_app_configs():
        value = getattr(config, attribute, None)
        if value:
            yield config, value


def load_dashboard_cards() -> None:
    """Import every card now (at start-up): a card module declares the models its cached
    aggregates come from (portal.dashboard.watch), and every process that writes them must
    know before its first write, not at its first dashboard."""
    for _config, path in _configs_with("dashboard_card"):
        import_string(path)


def dashboard_cards(user) -> list[dict]:
    """The cards of every app whose `dashboard_card(user)` returns one."""
    return [card for _config, path in _configs_with("dashboard_card") if (card := import_string(path)(user))]


def nav_entries(user) -> list[NavEntry]:
    """Every app's menu entries for this user, by `order`."""
    entries = [entry for _config, path in _configs_with("navigation") for entry in import_string(path)(user)]
    return sorted(entries, key=lambda entry: entry.order)


def role_permissions() -> dict[str, list[str]]:
    """Role code -> every app's "app_label.codename" for it."""
    collected: dict[str, list[str]] = {}
    for _config, per_role in _configs_with("role_permissions"):
        for role, names in per_role.items():
            collected.setdefault(str(role), []).extend(names)
    return collected


def reminder_options() -> dict[str, list[ReminderOption]]:
    """App label -> the reminder options it declares."""
    return {config.label: list(import_string(path)) for config, path in _configs_with("reminder_options")}


def reminder_option(app_label: str, name: str) -> ReminderOption:
    for option in reminder_options().get(app_label, []):
        if option.name == name:
            return option
    raise LookupError(f"{app_label} declares no reminder option {name!r}")


_values_read: ContextVar[dict | None] = ContextVar("reminder_values_read", default=None)


@contextmanager
def reminder_values_held() -> Iterator[None]:
    """Read each option once for the duration of the block (one periodic scan), not once per
    source: the scan's query count must not grow with the number of sources."""
    token = _values_read.set({})
    try:
        yield
    finally:
        _values_read.reset(token)


def _current(app_label: str, name: str) -> int | tuple[int, ...]:
    held = _values_read.get()
    if held is None:
        return _read(app_label, name)
    if (app_label, name) not in held:
        held[app_label, name] = _read(app_label, name)
    return held[app_label, name]


def _read(app_label: str, name: str) -> int | tuple[int, ...]:
    from .models import ReminderValue

    option = reminder_option(app_label, name)
    stored = (
        ReminderValue.objects.filter(app_label=app_label, name=name).values_list("value", flat=True).first()
    )
    if stored is None:
        return option.default
    try:
        return option.parse(stored)
    except ValueError:  # stored before the option's bounds changed: fall back, never crash a scan
        return option.default


def reminder_values() -> dict[tuple[str, str], int | tuple[int, ...]]:
    """Every app's reminder option with its current value (a scan's settings fingerprint)."""
    return {
        (app_label, option.name): _current(app_label, option.name)
        for app_label, options in sorted(reminder_options().items())
        for option in options
    }


def reminder_value(app_label: str, name: str) -> int:
    """The admin's value of a number option (its default while unset)."""
    value = _current(app_label, name)
    if isinstance(value, tuple):
        raise TypeError(f"{app_label}.{name} is a list: use reminder_days()")
    return value


def reminder_days(app_label: str, name: str) -> list[int]:
    """The admin's value of a list option, largest first, without repeats."""
    value = _current(app_label, name)
    return sorted(set(value if isinstance(value, tuple) else (value,)), reverse=True)
