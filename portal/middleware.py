from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose otherwise.

    The browser's Accept-Language is ignored on purpose: many officials' phones are
    set to English, yet the portal's users expect Indonesian. The choice comes from
    the language switcher (cookie), else the user's saved language, else LANGUAGE_CODE.
    Must run after AuthenticationMiddleware.
    """

    def process_request(self, request) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if not (language and translation.check_for_language(language)):
            language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if not (language and translation.check_for_language(language)):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """A NUL character in the path, a query parameter or a form field is a 400.

    PostgreSQL text cannot hold NUL, so such a value reaching a query (an admin filter, a
    region code in the URL, a choice field) raised a DataError: a 500. No legitimate
    request carries one; Django's own form fields already refuse it.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or self._has_nul(request.GET)
            or (request.method == "POST" and self._has_nul(request.POST))
        ):
            raise SuspiciousOperation("NUL character in the request")
        return self.get_response(request)

    @staticmethod
    def _has_nul(data) -> bool:
        return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), with one relaxation on Django
    admin pages only: inline style attributes, which templates of django-import-export and
    django-simple-history use. Scripts stay strict everywhere."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(reverse("admin:index")):
            # Django admin's own scripts (select2 for autocomplete fields, the change form's
            # widgets) add <style> elements and style attributes at run time.
            parts.update = {
                **(parts.update or {}),
                "style-src": ["'self'", "'unsafe-inline'"],
                "style-src-attr": ["'unsafe-inline'"],
            }
        return parts
