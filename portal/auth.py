"""Password reset with throttling: at most `PASSWORD_RESET_RATE` requests per client address
and per e-mail address (django-ratelimit, counted in the shared cache), so the form cannot be
used to flood someone's mailbox or probe many addresses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


def _email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limited = [
            is_ratelimited(
                request,
                group="password-reset",
                key=key,
                rate=settings.PASSWORD_RESET_RATE,
                method="POST",
                increment=True,
            )
            for key in ("ip", _email)
        ]
        if any(limited):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many password reset requests. Please try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
