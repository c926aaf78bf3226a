from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region, RoleAssignment, User, normalise_phone, region_q
from .roles import Role


def contact_candidates(user):
    """People a DPPKB admin may name head or focal point: those of their kabupaten."""
    people = User.objects.filter(is_active=True).order_by("full_name", "username")
    if user.is_superuser:
        return people
    codes = user.scope_codes(roles=[Role.DPPKB_ADMIN])
    mine = Q(organisation__in=Organisation.objects.editable_by(user)) | region_q(codes, "roles__region_id")
    return people.filter(mine).distinct()


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name()} — {obj.jabatan}" if obj.jabatan else obj.get_full_name()


class ContactsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name()} — {obj.jabatan}" if obj.jabatan else obj.get_full_name()


class OrganisationForm(forms.ModelForm):
    """An organisation with who receives what is sent to it: its head and its focal points."""

    head = ContactChoiceField(
        label=_("Head"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Receives the organisation's invitations and notices."),
    )
    focal_points = ContactsChoiceField(
        label=_("Focal points"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "OPD focal points follow the organisation's commitments and also receive its invitations."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "region", "head", "email", "phone", "address"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).exclude(
            level__in=[Region.Level.DESA, Region.Level.KELURAHAN]
        )
        candidates = contact_candidates(user)
        if self.instance.head_id:
            candidates = User.objects.filter(
                Q(pk__in=candidates.values("pk")) | Q(pk=self.instance.head_id)
            ).order_by("full_name", "username")
        self.fields["head"].queryset = candidates
        self.fields["focal_points"].queryset = candidates
        if self.instance.pk:
            self.fields["focal_points"].initial = list(self.instance.focal_points())
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    @transaction.atomic
    def save(self, commit: bool = True) -> Organisation:
        organisation = super().save(commit=commit)
        if commit:
            self.save_focal_points(organisation)
        return organisation

    def save_focal_points(self, organisation: Organisation) -> None:
        chosen = set(self.cleaned_data.get("focal_points") or [])
        current = RoleAssignment.objects.filter(role=Role.OPD_FOCAL, organisation=organisation)
        for assignment in current.select_related("user"):
            if assignment.user not in chosen:
                assignment.delete()  # signals keep groups and staff status in step
        held = {a.user_id for a in current}
        for person in chosen:
            if person.pk not in held:
                RoleAssignment.objects.create(
                    user=person, role=Role.OPD_FOCAL, organisation=organisation, region=organisation.region
                )
