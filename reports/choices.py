from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The three reports of 《市民热线反映》 (日报—周报—月报)."""

    DAILY = "daily", _("Daily report")  # 日报: one natural day
    WEEKLY = "weekly", _("Weekly report")  # 周报: Monday to Sunday
    MONTHLY = "monthly", _("Monthly report")  # 月报: a calendar month


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


STATUS_COLOURS = {Status.QUEUED: "secondary", Status.BUILDING: "info", Status.READY: "success", Status.FAILED: "danger"}


class Section(models.TextChoices):
    """What a report is made of; each kind has some of them, in this order."""

    TOTALS = "totals", _("Demands received")
    HOTSPOTS = "hotspots", _("New hotspots")
    KEY_CASES = "key_cases", _("Key and difficult cases")
    ALERTS = "alerts", _("Orders that went red or were escalated")
    TREND = "trend", _("Daily trend")
    TOP = "top", _("Top categories and streets")
    HANDLING = "handling", _("Overdue and re-handled orders")
    RATES = "rates", _("The three rates by district")
    RANKING = "ranking", _("Ranking of the streets (the month, or the month so far)")
    DEPARTMENTS = "departments", _("The three rates by department")
    YEAR_TREND = "year_trend", _("Twelve-month trend")
    PROBLEMS = "problems", _("Top problems")
    GOVERNANCE = "governance", _("主动治理 / 每月一题进展")


KIND_SECTIONS = {
    Kind.DAILY: [Section.TOTALS, Section.HOTSPOTS, Section.KEY_CASES, Section.ALERTS, Section.RANKING],
    Kind.WEEKLY: [Section.TOTALS, Section.TREND, Section.TOP, Section.HANDLING, Section.RATES, Section.RANKING],
    Kind.MONTHLY: [
        Section.RANKING,
        Section.RATES,
        Section.DEPARTMENTS,
        Section.YEAR_TREND,
        Section.PROBLEMS,
        Section.GOVERNANCE,
        Section.TOTALS,
    ],
}


class KeyReason(models.TextChoices):
    """Why a demand is a key case of the daily report (重点难点)."""

    URGENT = "urgent", _("Urgent")
    GROUP = "group", _("Group demand")  # 群体性
    REPEATED = "repeated", _("Repeated caller")  # 重复来电
    SENSITIVE = "sensitive", _("Media-sensitive matter")  # 媒体敏感


class AlertKind(models.TextChoices):
    RED = "red", _("Went red (due that day)")
    URGED = "urged", _("Overdue: 催办单 issued")
    SUPERVISED = "supervised", _("Escalated: 督办单 issued")
    SUPERVISION_OVERDUE = "supervision_overdue", _("通报: 督办单 past its due date")
    INSTRUCTION_OVERDUE = "instruction_overdue", _("批示 past its due date unanswered: escalated")
