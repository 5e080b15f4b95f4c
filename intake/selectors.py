"""Reads of intake. Identity is masked unless the caller may see it (the reveal flow: intake issue)."""

from django.db.models import QuerySet

from hotline.core.choices import Role, UnitLevel

from .models import Demand


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


HOTLINE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.CALLBACK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


def is_city_hotline_staff(user) -> bool:
    """Hotline roles at the city center see every demand; a district's leader or dispatcher does not."""
    if user.is_superuser:
        return True
    return user.role in HOTLINE_ROLES and user.unit is not None and user.unit.level == UnitLevel.CENTER


def demands_visible_to(user) -> QuerySet[Demand]:
    """Hotline staff see every demand; a unit sees the demands that have a work order of its subtree."""
    from dispatch.selectors import work_orders_visible_to

    if not user.is_authenticated:
        return Demand.objects.none()
    qs = Demand.objects.select_related("category", "street")
    if is_city_hotline_staff(user):
        return qs
    return qs.filter(pk__in=work_orders_visible_to(user).values("demand_id"))


def caller_identity_for(user, demand: Demand) -> dict:
    """The caller as this user may see them: always masked here; confidential callers are hidden
    from handling units entirely (保密)."""
    if demand.confidential and not is_city_hotline_staff(user):
        return {"caller_name": "", "caller_phone": "", "confidential": True}
    return {
        "caller_name": mask_name(demand.caller_name),
        "caller_phone": mask_phone(demand.caller_phone),
        "confidential": demand.confidential,
    }
