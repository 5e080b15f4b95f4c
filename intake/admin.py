from django.contrib import admin

from .models import Demand


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["number", "channel", "demand_type", "category", "street", "disposition", "received_at"]
    list_filter = ["channel", "demand_type", "disposition", "urgency"]
    search_fields = ["number"]
    readonly_fields = ["number", "received_at", "disposition", "created_by"]
    autocomplete_fields = ["category", "street"]
    # Personal information: revealed only through the logged reveal flow, never in the admin.
    exclude = ["caller_name", "caller_phone"]
