from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import CalendarDay, CalendarYear, Category, CategoryTag, Unit, User


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "population", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


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
