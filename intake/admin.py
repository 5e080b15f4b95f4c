from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Demand, Place, RecordTemplate, RevealLog
from .services import api_key_hash


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["number", "channel", "demand_type", "category", "street", "disposition", "received_at"]
    list_filter = ["channel", "demand_type", "disposition", "urgency"]
    search_fields = ["number"]
    readonly_fields = ["number", "received_at", "disposition", "created_by", "api_key"]
    autocomplete_fields = ["category", "street", "district"]
    # Personal information: revealed only through the logged reveal flow, never in the admin.
    exclude = ["caller_name", "caller_phone"]

    def has_delete_permission(self, request, obj=None):
        return False  # a demand is a record: its orders and their audit events stay


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """The address gazetteer (地名库): admins add the places citizens name."""

    list_display = ["name", "kind", "street", "aliases", "is_active"]
    list_filter = ["kind", "is_active", "street__parent"]
    search_fields = ["name", "aliases", "street__name"]
    autocomplete_fields = ["street"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Open311 keys, one per partner channel. The key is shown once, when it is created."""

    list_display = ["name", "channel", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["channel", "is_active"]
    fields = ["name", "channel", "is_active"]

    def save_model(self, request, obj, form, change):
        if not change:
            import secrets

            raw = secrets.token_urlsafe(24)
            obj.key_hash, obj.prefix = api_key_hash(raw), raw[:6]
            messages.warning(
                request, _("The new key is %(key)s — copy it now, it will not be shown again.") % {"key": raw}
            )
        super().save_model(request, obj, form, change)


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    """Who saw which caller's full identity, when and why. Read-only."""

    list_display = ["at", "user", "demand", "reason", "ip"]
    list_filter = ["at"]
    search_fields = ["demand__number", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordTemplate)
class RecordTemplateAdmin(admin.ModelAdmin):
    """受理模板: the hotline's (no owner) are offered to every agent; an agent's own are theirs to keep."""

    list_display = ["title", "category", "owner", "is_active"]
    list_filter = ["is_active", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["title", "text"]
    autocomplete_fields = ["category"]
    raw_id_fields = ["owner"]
