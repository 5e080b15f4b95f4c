"""Writes of the shared core: loading the organisation tree, categories and calendar, and the demo
users. Every loader is idempotent: it updates what exists and adds what is missing."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from .access import may
from .choices import CalendarDayKind, Role, UnitLevel
from .models import CalendarDay, CalendarYear, Category, CategoryTag, StreetAssignment, Unit, User
from .reference import reference_changed

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
CENTER_CODE = "12345"
CENTER_NAME = "北京市12345市民服务热线服务中心"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _upsert_unit(*, code: str, name: str, level: str, parent: Unit | None, population: int | None = None) -> Unit:
    unit, created = Unit.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "population": population}
    )
    if not created and (unit.name, unit.level, unit.parent_id, unit.population) != (
        name,
        level,
        parent.pk if parent else None,
        population,
    ):
        unit.name, unit.level, unit.parent, unit.population = name, level, parent, population
        unit.save()
    return unit


@transaction.atomic
def units_load() -> dict[str, int]:
    """Load the organisation tree: the center, city departments and enterprises, the 16 districts
    (each standing for its 12345 sub-center, 区分中心) with their district departments, and the 343
    streets/townships of Beijing, with district populations. Returns counts per level."""
    center = _upsert_unit(code=CENTER_CODE, name=CENTER_NAME, level=UnitLevel.CENTER, parent=None)
    for row in _rows("departments.csv"):
        _upsert_unit(code=row["code"], name=row["name"], level=row["level"], parent=center)

    population = {row["code"]: int(row["population_2020"]) for row in _rows("beijing_population_2020.csv")}
    district_departments = _rows("district_departments.csv")
    districts: dict[str, Unit] = {}
    divisions = _rows("beijing_divisions.csv")
    for row in divisions:
        if row["level"] == "district":
            district = _upsert_unit(
                code=row["code"],
                name=row["name"],
                level=UnitLevel.DISTRICT,
                parent=center,
                population=population.get(row["code"]),
            )
            districts[row["code"]] = district
            for dep in district_departments:
                _upsert_unit(
                    code=f"{row['code']}{dep['suffix']}",
                    name=f"{row['name']}{dep['name']}",
                    level=UnitLevel.DISTRICT_DEPARTMENT,
                    parent=district,
                )
    for row in divisions:
        if row["level"] == "street":
            _upsert_unit(
                code=row["code"], name=row["name"], level=UnitLevel.STREET, parent=districts[row["parent_code"]]
            )
    return {level: Unit.objects.filter(level=level).count() for level in UnitLevel.values}


def unit_move(*, unit: Unit, parent: Unit, by: User) -> Unit:
    """Move `unit` (and everything below it) under `parent`: an administrator's change of the
    organisation tree (a street handed to another district). Every path of the subtree is rewritten in
    the same transaction (Unit.save), so visibility follows at once; the move is in the unit's history."""
    from django.core.exceptions import ValidationError

    from .exceptions import Forbidden, InvalidInput

    if not may(by, "core.administer"):
        raise Forbidden(_("Only administrators change the organisation tree."))
    if parent.pk == unit.pk or parent.path.startswith(unit.path):
        raise InvalidInput(_("A unit cannot be moved under itself or one of its own units."), code="invalid_parent")
    unit.parent = parent
    try:
        unit.save()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_parent") from None
    return unit  # (saving a unit renews the reference stamp: hotline.core.reference)


@transaction.atomic
def categories_load() -> int:
    """Load the three-level matter category tree (问题分类). Returns the number of categories."""
    by_code: dict[str, Category] = {}
    for row in _rows("categories.csv"):
        parent = by_code[row["parent_code"]] if row["parent_code"] else None
        sensitive = row.get("media_sensitive") == "1"
        category, created = Category.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "parent": parent, "media_sensitive": sensitive}
        )
        wanted = (row["name"], parent.pk if parent else None, sensitive)
        if not created and (category.name, category.parent_id, category.media_sensitive) != wanted:
            category.name, category.parent, category.media_sensitive = row["name"], parent, sensitive
            category.save()
        by_code[row["code"]] = category
        # 七有五性: the tags the file gives are added (an admin's own tags are kept).
        for tag in filter(None, (row.get("livelihood") or "").split(";")):
            CategoryTag.objects.get_or_create(category=category, tag=tag.strip())
    return len(by_code)


class CalendarUnavailable(Exception):
    """The statutory calendar of a year is not known to the `chinese-calendar` package."""


@transaction.atomic
def calendar_load_year(*, year: int) -> dict[str, int]:
    """Load a year's public holidays and 调休 make-up workdays from the `chinese-calendar` package,
    replacing what the year had. Raises CalendarUnavailable for years the package does not cover."""
    import chinese_calendar

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    try:
        chinese_calendar.is_workday(start)
        chinese_calendar.is_workday(end)
    except NotImplementedError as exc:
        raise CalendarUnavailable(str(exc)) from exc

    # `holidays` holds the statutory days off (weekend days inside a holiday period included);
    # `workdays` the 调休 days: weekend days that are worked.
    statutory = {d: name for d, name in chinese_calendar.holidays.items() if d.year == year}
    workdays = {d: name for d, name in chinese_calendar.workdays.items() if d.year == year and d.weekday() >= 5}
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDayKind.HOLIDAY, name=_holiday_name(n)) for d, n in sorted(statutory.items())]
        + [
            CalendarDay(date=d, kind=CalendarDayKind.WORKDAY, name=_holiday_name(n))
            for d, n in sorted(workdays.items())
        ]
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})  # new reference stamp
    return {"holidays": len(statutory), "workdays": len(workdays)}


def calendar_replace_year(*, year: int, days: dict[dt.date, tuple[str, str]], source: str) -> None:
    """A year's holidays and 调休 days as an administrator entered them (the State Council's notice): they
    replace what the year had; the year counts as loaded (a new reference stamp)."""
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, kind=kind, name=name[:64])
            for day, (kind, name) in sorted(days.items())
            if day.year == year
        ]
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"source": source[:64]})


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(name: str) -> str:
    return HOLIDAY_NAMES.get(name, name)


# Demo users (CONTRACT.md): city-level roles at the center, and a handler and a unit leader for every
# street/township, district sub-center, city department and enterprise.
CITY_DEMO_USERS = [
    ("admin", Role.ADMIN, "系统管理员"),
    ("agent", Role.AGENT, "话务员"),
    ("dispatcher", Role.DISPATCHER, "派单员"),
    ("callback", Role.CALLBACK, "回访员"),
    ("supervisor", Role.SUPERVISOR, "督办员"),
    ("leader", Role.LEADER, "市领导"),
    ("kbeditor", Role.KB_EDITOR, "知识库管理员"),
    # A second editor: what one editor submits, another reviews (知识审核, four eyes).
    ("kbeditor2", Role.KB_EDITOR, "知识库审核员"),
]
UNIT_DEMO_LEVELS = (UnitLevel.STREET, UnitLevel.DISTRICT, UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE)


@dataclass
class DemoUsersResult:
    created: int
    updated: int


@transaction.atomic
def demo_users_ensure(*, password: str) -> DemoUsersResult:
    """Create or refresh the demo users. One password hash is computed and shared: hashing ~800
    passwords one by one would take minutes, and these accounts exist only for demonstrations."""
    encoded = make_password(password)
    center = Unit.objects.get(code=CENTER_CODE)
    wanted: dict[str, dict] = {}
    for username, role, display in CITY_DEMO_USERS:
        wanted[username] = {
            "unit": center,
            "role": role,
            "display_name": display,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
        }
    for unit in Unit.objects.filter(level__in=UNIT_DEMO_LEVELS):
        wanted[f"h{unit.code}"] = {"unit": unit, "role": Role.HANDLER, "display_name": f"{unit.name}承办人"}
        wanted[f"l{unit.code}"] = {"unit": unit, "role": Role.UNIT_LEADER, "display_name": f"{unit.name}负责人"}

    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    to_create, to_update = [], []
    for username, fields in wanted.items():
        user = existing.get(username)
        if user is None:
            to_create.append(User(username=username, password=encoded, **fields))
            continue
        user.password = encoded
        user.is_active = True
        for key, value in fields.items():
            setattr(user, key, value)
        to_update.append(user)
    User.objects.bulk_create(to_create, batch_size=500)
    User.objects.bulk_update(
        to_update, ["password", "is_active", "unit", "role", "display_name", "is_staff", "is_superuser"], batch_size=500
    )
    _demo_streets_assign(User.objects.get(username="supervisor"))
    return DemoUsersResult(created=len(to_create), updated=len(to_update))


DEMO_SUPERVISED_DISTRICT = "110101"  # 东城区: the demo supervisor's 包点 streets


def _demo_streets_assign(supervisor: User) -> None:
    """包点 for the demo: the `supervisor` answers for 东城区's streets, unless someone already does."""
    streets = Unit.objects.filter(level=UnitLevel.STREET, parent__code=DEMO_SUPERVISED_DISTRICT)
    StreetAssignment.objects.bulk_create(
        [StreetAssignment(street=street, supervisor=supervisor) for street in streets], ignore_conflicts=True
    )


def reference_data_load(*, years=range(2024, 2027)) -> None:
    """Units, categories and the calendar: what every environment needs, demo or not."""
    units_load()
    categories_load()
    for year in years:
        try:
            calendar_load_year(year=year)
        except CalendarUnavailable:
            logger.warning("No statutory calendar available for %s; Monday–Friday applies.", year)
    reference_changed()  # whatever was written in bulk, every process reloads it


# --- notifications (通知) ---------------------------------------------------------------------------------


def notification_read(*, notification, by: User, at: dt.datetime | None = None):
    """Mark one of the user's own notifications read (reading it twice changes nothing)."""
    from django.utils import timezone

    from .exceptions import NotFound
    from .models import Notification

    if notification.user_id != by.pk:
        raise NotFound(_("No such notification."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=at or timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_read_all(*, by: User, at: dt.datetime | None = None) -> int:
    from django.utils import timezone

    from .models import Notification

    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=at or timezone.now())
