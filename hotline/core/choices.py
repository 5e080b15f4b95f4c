"""Choice enums of the shared core. Each value that shows as a badge has a colour in BADGE_COLOURS."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """Where a unit stands in the organisation tree (承办单位体系)."""

    CENTER = "center", _("Hotline center")  # 市民热线服务中心
    DEPARTMENT = "department", _("City department")  # 市级部门
    ENTERPRISE = "enterprise", _("Public-service enterprise")  # 市级公共服务企业
    DISTRICT = "district", _("District (sub-center)")  # 区 / 区分中心
    DISTRICT_DEPARTMENT = "district_department", _("District department")  # 区级部门
    STREET = "street", _("Street / township")  # 街道 / 乡镇
    COMMUNITY = "community", _("Community / village")  # 社区 / 村


class Role(models.TextChoices):
    """What a user does all day (SPEC.md, "Who uses it"). A user has exactly one role."""

    AGENT = "agent", _("Call-center agent")  # 话务员
    DISPATCHER = "dispatcher", _("Dispatcher")  # 派单员
    HANDLER = "handler", _("Handling-unit staff")  # 承办人员
    UNIT_LEADER = "unit_leader", _("Unit leader")  # 承办单位负责人
    CALLBACK = "callback", _("Callback agent")  # 回访员
    SUPERVISOR = "supervisor", _("Supervisor")  # 督办
    LEADER = "leader", _("Leader")  # 市领导 / 区领导
    KB_EDITOR = "kb_editor", _("Knowledge-base editor")  # 知识库管理员
    ADMIN = "admin", _("System administrator")  # 系统管理员


class CalendarDayKind(models.TextChoices):
    """An exception to the Monday–Friday rule in the statutory calendar."""

    HOLIDAY = "holiday", _("Public holiday")  # 法定节假日 (incl. the weekend days of a holiday period)
    WORKDAY = "workday", _("Make-up workday")  # 调休上班


# One place for the colours of status badges (templates/inc/badge.html).
BADGE_COLOURS = {
    CalendarDayKind.HOLIDAY: "danger",
    CalendarDayKind.WORKDAY: "warning",
}
