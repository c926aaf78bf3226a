"""The project's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from portal import urls


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [*urls.urlpatterns, path("boom/", boom)]
handler500 = urls.handler500
