"""The portal's URLs plus the floor of every page measurement: a trivial view behind the same
middleware (sessions, auth, locale, security headers) on the same gunicorn. Never served in
production: only bench.settings names this module."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

FLOOR_PATH = "/bench/floor"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH.lstrip("/"), floor, name="bench-floor"), *portal_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
