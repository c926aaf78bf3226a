"""Admin of commitments (RTL). MeetingAdmin (meetings/admin.py) uses CommitmentInline."""

from django.contrib import admin

from .models import Commitment


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["description", "intervention_type", "owner", "pic", "due_date", "status"]
    autocomplete_fields = ["owner", "pic"]
