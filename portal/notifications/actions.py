"""Buttons under an in-app message ("Hadir", "Perbarui progres"), declared by the app that sends it.

In the portal the person is logged in, so an action is a plain link to the page
where they act; one-tap signed links belong to e-mail only. Actions are built from
the row's rule and source id when the list is shown (no query per row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Notification


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    primary: bool = False


ActionBuilder = Callable[[Notification], list[Action]]
ACTIONS: dict[str, ActionBuilder] = {}


def register_actions(*rule_names: str) -> Callable[[ActionBuilder], ActionBuilder]:
    """Decorator: `builder(notification) -> [Action, ...]` for messages of these rules."""

    def decorate(builder: ActionBuilder) -> ActionBuilder:
        for name in rule_names:
            ACTIONS[name] = builder
        return builder

    return decorate


def actions_for(notification: Notification) -> list[Action]:
    builder = ACTIONS.get(notification.rule_name)
    return builder(notification) if builder and notification.source_id else []
