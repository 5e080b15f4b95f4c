"""Reads of the shared core. Every later list, detail, export and report scopes its rows through
`visible_to` so that a user sees their own unit's subtree only."""

from __future__ import annotations

from django.db.models import QuerySet

from . import access
from .choices import UnitLevel
from .models import PATH_SEPARATOR, Category, Unit, User
from .pinyin import looks_like_initials, where_initials


def is_city_hotline_staff(user) -> bool:
    """Hotline roles at the city center see every demand; a district's leader or dispatcher does not
    (the predicate access.is_city_hotline_staff, the one model's scoping rule)."""
    return bool(user is not None and user.is_authenticated and access.is_city_hotline_staff.test(user))


def visible_to(user: User, queryset: QuerySet, *, unit_field: str = "unit", by_path: bool = False) -> QuerySet:
    """Restrict `queryset` to rows whose `unit_field` lies in the user's unit subtree.

    A superuser sees everything; a user without a unit sees nothing. `unit_field` is a lookup path
    to a Unit foreign key (e.g. "unit", "work_order__unit"), or "" when the queryset is of units.
    `by_path` joins the unit and filters its path instead (no query for the subtree's ids): for the
    lookup of one row by its key."""
    path = visible_path(user)
    if path is None:
        return queryset.none()
    if not path:
        return queryset
    if not unit_field or by_path:
        prefix = f"{unit_field}__" if unit_field else ""
        return queryset.filter(**{f"{prefix}path__startswith": path})
    if user.unit.level == UnitLevel.CENTER and user.unit.parent_id is None:  # the hotline center: every unit
        return queryset.filter(**{f"{unit_field}__isnull": False})
    # The subtree's unit ids, as a list: a street is itself and its communities, a district a few
    # hundred units. `unit_id IN (…)` lets the planner use the (unit, …) indexes of big tables, where a
    # join on the path prefix made it scan them in sort order and filter (10–100× slower at 1 M orders).
    return queryset.filter(**{f"{unit_field}__in": subtree_ids(user.unit)})


def visible_path(user: User) -> str | None:
    """The unit path prefix of what the user sees: "" for everything (a superuser), None for nothing
    (anonymous, inactive, no unit)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if user.unit_id is None:
        return None
    return user.unit.path


def subtree_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def units_visible_to(user: User) -> QuerySet[Unit]:
    return visible_to(user, Unit.objects.select_related("parent"), unit_field="")


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent")


# --- pickers (选择器) ---------------------------------------------------------------------------------------

# The units a person addresses by name: everything but the hotline center and the communities below streets.
ADDRESSABLE_LEVELS = (
    UnitLevel.DEPARTMENT,
    UnitLevel.ENTERPRISE,
    UnitLevel.DISTRICT,
    UnitLevel.DISTRICT_DEPARTMENT,
    UnitLevel.STREET,
)
PICK_CANDIDATES = 8


def pick(queryset: QuerySet, text: str) -> tuple[object | None, list]:
    """What a person typed into a picker, as one row of `queryset` (of units or categories): the code,
    the picker's own "code name", a path ("城市管理 › 市容 › 占道经营": its last part), the exact name, or
    a part of a name that only one row has. Returns (row, []) or, when the text fits no row or several,
    (None, up to PICK_CANDIDATES rows it fits) — so a form can say which ones it could mean."""
    text = " ".join(text.split())
    if not text:
        return None, []
    row = queryset.filter(code=text.split()[0]).first()
    if row is not None:
        return row, []
    name = text.replace(">", "›").split("›")[-1].strip()
    for lookup in ("name", "name__icontains"):
        rows = list(queryset.filter(**{lookup: name}).order_by("code")[: PICK_CANDIDATES + 1])
        if len(rows) == 1:
            return rows[0], []
        if rows:
            return None, rows[:PICK_CANDIDATES]
    if looks_like_initials(name):
        # 拼音首字母: names whose initials start with the letters first, then those that hold them.
        found = [(at, row) for row in queryset.order_by("code") if (at := where_initials(row.name, name)) is not None]
        rows = [row for at, row in found if at == 0] or [row for _at, row in found]
        if len(rows) == 1:
            return rows[0], []
        return None, rows[:PICK_CANDIDATES]
    return None, []


def categories_to_pick(*, leaves_only: bool = True) -> QuerySet[Category]:
    """The categories a picker offers: the active level-3 ones (a demand's category), or every level
    (a filter may take a whole branch)."""
    categories = Category.objects.filter(is_active=True).select_related("parent__parent")
    return categories.filter(level=3) if leaves_only else categories


def units_to_pick(user: User | None = None) -> QuerySet[Unit]:
    """The active units a picker offers, by level and code: all of them, or those of `user`'s area."""
    units = Unit.objects.filter(is_active=True, level__in=ADDRESSABLE_LEVELS).select_related("parent")
    if user is not None:
        units = visible_to(user, units, unit_field="")
    return units.order_by("path")


# --- notifications (通知) ---------------------------------------------------------------------------------


def notifications_of(user) -> QuerySet:
    """A user's own inbox, newest first (nobody reads another person's inbox)."""
    from .models import Notification

    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    """The unread items of the user's inbox (the partial index notification_unread)."""
    from .models import Notification

    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unit_people(units, roles, *, by_code: bool = False) -> list[int]:
    """The active users holding one of `roles` in the given units (their own unit, not below it), by id or
    (`by_code`) by unit code: who a unit's notification goes to."""
    where = {"unit__code__in" if by_code else "unit_id__in": list(units)}
    return list(User.objects.filter(role__in=list(roles), is_active=True, **where).values_list("pk", flat=True))


# --- 包点 (street assignments) ----------------------------------------------------------------------------


def streets_of(user) -> QuerySet[Unit]:
    """The streets a supervisor answers for (包点), in tree order; none for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(assignment__supervisor=user, is_active=True).order_by("path")


def street_supervisor(unit) -> int | None:
    """The 包点 supervisor of the street a unit is or lies in (a community's street), or None."""
    from .models import StreetAssignment

    codes = unit.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    return (
        StreetAssignment.objects.filter(street__code__in=codes, supervisor__is_active=True)
        .values_list("supervisor_id", flat=True)
        .first()
    )
