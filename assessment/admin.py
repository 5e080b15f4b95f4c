from django.contrib import admin

from .models import Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """考核方案: a new version with a later `valid_from` changes the scoring of later months only."""

    list_display = ["version", "valid_from", "weight_response", "weight_resolution", "weight_satisfaction",
                    "bonus_cap", "tier_size", "min_volume"]
