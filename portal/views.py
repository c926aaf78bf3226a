from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from .access import get_organisation_for_user, get_region_for_user
from .dashboard import Cached, cached
from .forms import OrganisationForm
from .models import Organisation, Region
from .registry import dashboard_cards


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        **cached(user, "regions", lambda: working_area(user), depends_on=[Region], personal=False),
        "cards": dashboard_cards(user),
    }
    return render(request, "portal/dashboard.html", context)


def working_area(user) -> Cached:
    """The user's regions, their kabupaten, and how many kecamatan and desa/kelurahan they
    hold (a superuser: the country's 90,000 rows, hence cached)."""
    regions = user.scope_regions()
    # Both counts in one query: every query costs a round trip on a busy server.
    levels = [Region.Level.KECAMATAN, Region.Level.DESA, Region.Level.KELURAHAN]
    counts = (
        Region.objects.visible_to(user)
        .filter(level__in=levels)
        .aggregate(
            n_kecamatan=Count("pk", filter=Q(level=Region.Level.KECAMATAN)),
            n_desa=Count("pk", filter=Q(level__in=[Region.Level.DESA, Region.Level.KELURAHAN])),
        )
    )
    return Cached({"regions": regions, "kabupaten": kabupaten_of(regions), **counts})


def kabupaten_of(regions: list[Region]) -> list[Region]:
    """The kabupaten of the given regions: a kabupaten itself or a kecamatan's parent (loaded
    with it by scope_regions), else read."""
    found = {}
    missing = set()
    for region in regions:
        code = region.kabupaten_code()
        if not code:
            continue
        if region.code == code:
            found[code] = region
        elif region.parent_id == code and region.parent:
            found[code] = region.parent
        else:
            missing.add(code)
    missing -= found.keys()
    if missing:
        found.update((r.code, r) for r in Region.objects.filter(code__in=missing))
    return [found[code] for code in sorted(found)]


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
        {
            "organisation": organisation,
            "focal_points": organisation.focal_points(),
            "can_change": organisation.can_change(request.user),
        },
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

    def get_success_url(self) -> str:
        # From the invite page: back to it once the organisation has someone to receive.
        back = self.request.GET.get("next", "")
        allowed = url_has_allowed_host_and_scheme(back, {self.request.get_host()}, self.request.is_secure())
        return back if back and allowed else super().get_success_url()

    def form_valid(self, form):
        messages.success(self.request, _("The organisation is saved."))
        return super().form_valid(form)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, also remembering the choice on the user (for notifications)."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(code):
        request.user.language = code
        request.user.save(update_fields=["language"])
    return i18n.set_language(request)
