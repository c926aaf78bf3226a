"""URLs with converters that write an id other than as is (and one without arguments), for
portal.links' tests."""

from django.http import HttpResponse
from django.urls import path, register_converter


class PaddedId:
    regex = "[0-9]{10,}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:010d}"


class HexId:
    regex = "[0-9a-f]+"

    def to_python(self, value):
        return int(value, 16)

    def to_url(self, value):
        return f"{value:x}"


register_converter(PaddedId, "padded")
register_converter(HexId, "hex")


def view(request, pk):
    return HttpResponse(str(pk))


urlpatterns = [
    path("plain/", view, {"pk": 0}, name="plain-list"),
    path("plain/<int:pk>/edit/", view, name="plain"),
    path("padded/<padded:pk>/", view, name="padded"),
    path("hex/<hex:pk>/", view, name="hex"),
]
