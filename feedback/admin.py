from django.contrib import admin

from .models import ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """答复模板: the common answers units start their replies from."""

    list_display = ("title", "category", "unit", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "text")
    autocomplete_fields = ("category", "unit")
