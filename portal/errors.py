"""Error pages (templates/400.html, 403.html, 404.html, 500.html) in the portal's look, in the
person's language and with their menu. Django renders 400, 403 and 404 with the request; its
500 view does not (the menu needs it), hence `server_error`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the menu itself failed (e.g. the database is down): the page without it
        return defaults.server_error(request)
