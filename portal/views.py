from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from .access import get_organisation_for_user, get_region_for_user
from .celery import app as celery_app
from .forms import OrganisationForm
from .models import Organisation, Region
from .registry import dashboard_cards


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    regions = request.user.scope_regions()
    kabupaten_codes = {r.kabupaten_code() for r in regions if r.kabupaten_code()}
    visible = Region.objects.visible_to(request.user)
    context = {
        "regions": regions,
        "kabupaten": Region.objects.filter(code__in=kabupaten_codes),
        "n_kecamatan": visible.filter(level=Region.Level.KECAMATAN).count(),
        "n_desa": visible.filter(level__in=[Region.Level.DESA, Region.Level.KELURAHAN]).count(),
        "cards": dashboard_cards(request.user),
    }
    return render(request, "portal/dashboard.html", context)


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_region_for_user(request.user, code)
    children = region.children.annotate(
        n_desa=Count("children", filter=Q(children__level__in=["desa", "kelurahan"]))
    )
    return render(request, "portal/region_detail.html", {"region": region, "children": children})


class OrganisationListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "portal.view_organisation"
    template_name = "portal/organisation_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Organisation.objects.visible_to(self.request.user).select_related("region")
        kind = self.request.GET.get("kind")
        if kind in Organisation.Kind.values:
            qs = qs.filter(kind=kind)
        return qs

    def get_context_data(self, **kwargs):
        can_add = self.request.user.has_perm("portal.add_organisation")
        return super().get_context_data(kinds=Organisation.Kind.choices, can_add=can_add, **kwargs)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, pk)
    return render(
        request,
        "portal/organisation_detail.html",
        {"organisation": organisation, "can_change": organisation.can_change(request.user)},
    )


class OrganisationFormMixin(LoginRequiredMixin):
    model = Organisation
    form_class = OrganisationForm
    template_name = "portal/organisation_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class OrganisationCreateView(OrganisationFormMixin, PermissionRequiredMixin, CreateView):
    permission_required = "portal.add_organisation"


class OrganisationUpdateView(OrganisationFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_organisation_for_user(self.request.user, self.kwargs["pk"], write=True)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, also remembering the choice on the user (for notifications)."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(code):
        request.user.language = code
        request.user.save(update_fields=["language"])
    return i18n.set_language(request)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means unhealthy; report it, never raise
        return f"error: {exc.__class__.__name__}"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return "ok"
    except Exception as exc:  # any failure means unhealthy; report it, never raise
        return f"error: {exc.__class__.__name__}"
