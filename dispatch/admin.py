from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    CatalogueRule,
    CatalogueVersion,
    LeaderSignPolicy,
    SupervisionOrder,
    TimeLimitPolicy,
    UrgeNotice,
    WorkOrder,
    WorkOrderEvent,
)


class CatalogueRuleInline(admin.TabularInline):
    model = CatalogueRule
    extra = 1
    autocomplete_fields = ["category", "district", "unit"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_active", "activated_at", "created_at"]
    readonly_fields = ["is_active", "activated_at"]
    inlines = [CatalogueRuleInline]
    actions = ["copy_version", "activate_version"]

    @admin.action(description=_("Copy as a new draft version"))
    def copy_version(self, request, queryset):
        for version in queryset:
            draft = services.catalogue_copy(version=version)
            self.message_user(request, _("Created draft v%(n)s.") % {"n": draft.number}, messages.SUCCESS)

    @admin.action(description=_("Activate (routing uses it from now on)"))
    def activate_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version to activate."), messages.ERROR)
            return
        version = services.catalogue_activate(version=queryset.get())
        self.message_user(request, _("v%(n)s is now active.") % {"n": version.number}, messages.SUCCESS)


@admin.register(LeaderSignPolicy)
class LeaderSignPolicyAdmin(SimpleHistoryAdmin):
    """亲自签办: per unit level, whether its leader signs in person for what the catalogue sends straight."""

    list_display = ["level", "is_active"]
    list_editable = ["is_active"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "demand_type",
        "urgency",
        "complexity",
        "multi_unit",
        "handling_amount",
        "handling_unit",
        "dispatch_hours",
        "warn_share",
        "is_active",
    ]
    list_filter = ["is_active", "handling_unit"]


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "by", "from_status", "to_status", "note", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the services (and leave an event row), and are never
    deleted: their audit events are append-only in the database (hotline/core/audit.py)."""

    list_display = ["number", "unit", "role", "status", "deadline", "stage"]
    list_filter = ["status", "role", "unit__level"]
    search_fields = ["number", "demand__number"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(UrgeNotice)
class UrgeNoticeAdmin(admin.ModelAdmin):
    list_display = ["number", "unit", "issued_at", "acknowledged_at"]
    search_fields = ["number"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "unit", "issued_at", "due_at", "status"]
    list_filter = ["status"]
    search_fields = ["number"]
