from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Scheme, Snapshot


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    """考核方案: a new version with a later `valid_from` changes the scoring of later months only."""

    list_display = [
        "version",
        "valid_from",
        "weight_response",
        "weight_resolution",
        "weight_satisfaction",
        "bonus_cap",
        "tier_size",
        "min_volume",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A scheme that scored a month is history: change the rules with a new version instead.
        if obj is not None and Snapshot.objects.filter(scheme=obj).exists():
            return [f.name for f in obj._meta.fields]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not Snapshot.objects.filter(scheme=obj).exists()
