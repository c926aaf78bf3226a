"""Where a commitment came from, told by other apps (meetings never imports them).

An app registers a callable `provider(commitment) -> list[(label, url)]` (e.g. in its
AppConfig.ready()); the commitment page lists what every provider returns. A provider sees
only the commitment and answers for what it owns, e.g. audits: "the recommendation of
AKS Kabupaten Tapin 2024 Semester I, case 3".
"""

from __future__ import annotations

from collections.abc import Callable

Provider = Callable[[object], list[tuple[str, str]]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def origins(commitment) -> list[tuple[str, str]]:
    """(label, url) pairs saying where the commitment came from, from every provider."""
    return [origin for provider in _providers for origin in provider(commitment)]
