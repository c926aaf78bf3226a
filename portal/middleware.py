from django.conf import settings
from django.middleware.locale import LocaleMiddleware
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
