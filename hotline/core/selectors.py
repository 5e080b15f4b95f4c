"""Reads of the shared core. Every later list, detail, export and report scopes its rows through
`visible_to` so that a user sees their own unit's subtree only."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Category, Unit, User


def visible_to(user: User, queryset: QuerySet, *, unit_field: str = "unit") -> QuerySet:
    """Restrict `queryset` to rows whose `unit_field` lies in the user's unit subtree.

    A superuser sees everything; a user without a unit sees nothing. `unit_field` is a lookup path
    to a Unit foreign key (e.g. "unit", "work_order__unit"), or "" when the queryset is of units."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.unit_id is None:
        return queryset.none()
    prefix = f"{unit_field}__" if unit_field else ""
    return queryset.filter(**{f"{prefix}path__startswith": user.unit.path})


def units_visible_to(user: User) -> QuerySet[Unit]:
    return visible_to(user, Unit.objects.select_related("parent"), unit_field="")


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent")
