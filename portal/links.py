"""Links to one object by its id, for pages that print many of them; and links without
arguments (the menu's, on every page), each reversed once.

`reverse()` matches the URL pattern again for every link: 43 µs each on the benchmark machine,
so a list of 30 notifications with two links each spent 2.6 ms of its 14 ms building them.
`reverse_pk(viewname, pk)` reverses the view once (per URLconf, script prefix and language)
with a marker id, keeps the text either side of it and fills in each id: the same string
`reverse(viewname, args=[pk])` gives, for a URL whose one argument is an `<int:...>` id.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_MARKER = 7_391_346_128  # an id no URL contains by chance
_CHECK = 4_051  # a second id: the halves must give reverse()'s own URL for it too


def _where() -> tuple:
    """What a reversed URL depends on besides the view: the URLconf's resolver (made anew when
    the URLconf changes, as tests' ROOT_URLCONF), the script prefix and the language (a
    translated URL pattern reverses per language). The caches below are keyed by it."""
    return get_resolver(get_urlconf()), get_script_prefix(), get_language()


@lru_cache(maxsize=256)
def _halves(viewname: str, resolver, prefix: str, language: str | None) -> tuple[str, str] | None:
    """The URL's text before and after its id, or None when the id is not written as is (a
    converter that pads or encodes it): such a view is reversed each time."""
    urlconf = resolver.urlconf_name
    try:
        url = reverse(viewname, urlconf=urlconf, args=[_MARKER])
    except NoReverseMatch:  # its one argument is no integer (a UUID): reverse() says so
        return None
    if url.count(str(_MARKER)) != 1:
        return None
    head, _, tail = url.partition(str(_MARKER))
    if reverse(viewname, urlconf=urlconf, args=[_CHECK]) != f"{head}{_CHECK}{tail}":
        return None
    return head, tail


def reverse_pk(viewname: str, pk: int | str) -> str:
    """`reverse(viewname, args=[pk])` for a positive integer id, without matching the pattern
    again (see the module). The id may come as its digits (a notification's `source_id` is
    text), written as `str(int)` writes them; any other argument goes through `reverse()`."""
    number = pk if type(pk) is int else _as_number(pk)
    if number is not None and number > 0:
        halves = _halves(viewname, *_where())
        if halves is not None:
            return f"{halves[0]}{number}{halves[1]}"
    return reverse(viewname, args=[pk])


def _as_number(value) -> int | None:
    """The integer a text of ASCII digits without leading zeros writes, else None."""
    if type(value) is str and value.isascii() and value.isdigit() and value[0] != "0":
        return int(value)
    return None


@lru_cache(maxsize=256)
def _fixed(viewname: str, resolver, prefix: str, language: str | None) -> str:
    return reverse(viewname, urlconf=resolver.urlconf_name)


def reverse_fixed(viewname: str) -> str:
    """`reverse(viewname)` for a URL without arguments, reversed once per URLconf, script
    prefix and language (`_where`): the menu asks for the same six to eight on every page."""
    return _fixed(viewname, *_where())
