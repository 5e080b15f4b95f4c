from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .exceptions import DomainError
from .models import CalendarDay, CalendarYear, Category, CategoryTag, StreetAssignment, Unit, User
from .services import unit_move


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "population", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        """A new parent of an existing unit goes through `unit_move` (the administrators-only service
        that moves the whole subtree); the unit's other fields are saved as usual."""
        if not (change and "parent" in form.changed_data and obj.parent is not None):
            return super().save_model(request, obj, form, change)
        target = obj.parent
        obj.parent = Unit.objects.get(pk=form.initial["parent"]) if form.initial.get("parent") else None
        super().save_model(request, obj, form, change)
        try:
            unit_move(unit=obj, parent=target, by=request.user)
        except DomainError as error:
            self.message_user(request, str(error), level=messages.ERROR)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active", "unit__level"]
    search_fields = ["username", "display_name", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Hotline"), {"fields": ("display_name", "role", "unit")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Hotline"), {"fields": ("display_name", "role", "unit")}),)


class CategoryTagInline(admin.TabularInline):
    model = CategoryTag
    extra = 1


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    inlines = [CategoryTagInline]
    list_display = ["code", "name", "parent", "level", "media_sensitive", "is_active"]
    list_filter = ["level", "media_sensitive", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]


@admin.register(StreetAssignment)
class StreetAssignmentAdmin(SimpleHistoryAdmin):
    """包点: which supervisor answers for which street (one per street; model clean() checks the area)."""

    list_display = ["street", "street_district", "supervisor", "assigned_at"]
    list_filter = [("street__parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["street__name", "street__code", "supervisor__username", "supervisor__display_name"]
    autocomplete_fields = ["street", "supervisor"]
    list_select_related = ["street__parent", "supervisor"]

    @admin.display(description=_("district"), ordering="street__parent__name")
    def street_district(self, obj):
        return obj.street.parent
