"""Choice enums of the shared core. Each value that shows as a badge has a colour in BADGE_COLOURS."""

from collections import defaultdict

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


class LivelihoodTag(models.TextChoices):
    """七有五性: what a demand is about, in the terms Beijing measures its people's livelihood by — the
    seven 有 (childcare, education, work, medical care, old age, housing, help for the vulnerable) and
    the five 性 (convenience, livability, diversity, fairness, safety)."""

    CHILDCARE = "幼有所育", _("Childcare (幼有所育)")
    EDUCATION = "学有所教", _("Education (学有所教)")
    WORK = "劳有所得", _("Work and pay (劳有所得)")
    MEDICAL = "病有所医", _("Medical care (病有所医)")
    ELDERLY = "老有所养", _("Old age (老有所养)")
    HOUSING = "住有所居", _("Housing (住有所居)")
    VULNERABLE = "弱有所扶", _("Help for the vulnerable (弱有所扶)")
    CONVENIENCE = "便利性", _("Convenience (便利性)")
    LIVABILITY = "宜居性", _("Livability (宜居性)")
    DIVERSITY = "多样性", _("Diversity (多样性)")
    FAIRNESS = "公正性", _("Fairness (公正性)")
    SAFETY = "安全性", _("Safety (安全性)")


class CalendarDayKind(models.TextChoices):
    """An exception to the Monday–Friday rule in the statutory calendar."""

    HOLIDAY = "holiday", _("Public holiday")  # 法定节假日 (incl. the weekend days of a holiday period)
    WORKDAY = "workday", _("Make-up workday")  # 调休上班


# One place for the colours of status badges (templates/inc/badge.html).
BADGE_COLOURS = {
    CalendarDayKind.HOLIDAY: "danger",
    CalendarDayKind.WORKDAY: "warning",
}


# Dates a person may enter (reports, 挂账 dates, contact times, commands' --at): a year outside this is a
# typo (the year 163, 20260), refused with a reason rather than stored or scored.
PLAUSIBLE_YEARS = range(2000, 2101)


class NotificationKind(models.TextChoices):
    """What an inbox item (通知) is about; its text is rendered in the reader's language from `data`."""

    REMINDED = "reminded", _("Order turning red: 督办 by the system")  # 第五天系统自动督办
    URGED = "urged", _("催办单 issued")
    SUPERVISED = "supervised", _("督办单 issued")
    SUPERVISION_ANSWERED = "supervision_answered", _("督办单 answered")
    SUPERVISION_REISSUED = "supervision_reissued", _("督办单 re-issued")
    SUPERVISION_OVERDUE = "supervision_overdue", _("督办单 overdue: escalated")
    INSTRUCTION = "instruction", _("批示 to answer")
    INSTRUCTION_ANSWERED = "instruction_answered", _("批示 answered")
    INSTRUCTION_RETURNED = "instruction_returned", _("批示 answer returned")
    INSTRUCTION_OVERDUE = "instruction_overdue", _("批示 overdue: escalated")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
    RETURNED = "returned", _("Order returned (退单)")
    SENT_BACK = "sent_back", _("Reply sent back")
    WHISTLE = "whistle", _("吹哨报到: called in")
    RECTIFICATION = "rectification", _("Rectification owed (整改)")
    RECTIFICATION_SUBMITTED = "rectification_submitted", _("Rectification plan to review")
    RECTIFICATION_REVIEWED = "rectification_reviewed", _("Rectification plan reviewed")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification overdue: escalated")
    RECTIFICATION_WITHDRAWN = "rectification_withdrawn", _("Rectification withdrawn")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("约谈 / 通报 withdrawn")
    GUIDANCE = "guidance", _("督导 assigned")
    REFERRAL = "referral", _("约谈 / 通报")
    WHISTLE_RAISED = "whistle_raised", _("吹哨 to confirm")
    WHISTLE_DECIDED = "whistle_decided", _("吹哨 decided")
    WHISTLE_LATE = "whistle_late", _("报到 late")
    MILESTONE_DUE = "milestone_due", _("治理 milestone due")
    TOPIC_ASSIGNED = "topic_assigned", _("治理 topic to lead")
    ACTION_TO_VERIFY = "action_to_verify", _("未诉先办 action to verify")


# The text of each kind, from the figures in its `data` (rendered in the reader's language).
TEXTS: dict[str, object] = {
    NotificationKind.REMINDED: _(
        "Order %(order)s of %(unit)s is due on %(deadline)s and not answered: 督办 by the system."
    ),
    NotificationKind.URGED: _("催办单 %(notice)s: order %(order)s of %(unit)s passed its deadline %(deadline)s."),
    NotificationKind.SUPERVISED: _("督办单 %(notice)s on order %(order)s of %(unit)s: sign it and answer by %(due)s."),
    NotificationKind.SUPERVISION_ANSWERED: _("督办单 %(notice)s was answered by %(unit)s: verify the measures."),
    NotificationKind.SUPERVISION_REISSUED: _("督办单 %(notice)s was issued again, answer by %(due)s: %(reason)s"),
    NotificationKind.SUPERVISION_OVERDUE: _(
        "督办单 %(notice)s of %(unit)s passed its due date %(due)s without being closed: it is now yours to follow."
    ),
    NotificationKind.INSTRUCTION: _("批示 of %(leader)s to answer by %(due)s: %(text)s"),
    NotificationKind.INSTRUCTION_ANSWERED: _("%(unit)s answered your 批示: %(text)s"),
    NotificationKind.INSTRUCTION_RETURNED: _(
        "%(leader)s returned your answer to the 批示, answer again by %(due)s: %(comment)s"
    ),
    NotificationKind.INSTRUCTION_OVERDUE: _("批示 to %(unit)s passed its due date %(due)s unanswered: %(text)s"),
    NotificationKind.APPEAL_DECIDED: _("The appeal on order %(order)s was decided: %(decision)s."),
    NotificationKind.RETURNED: _("Order %(order)s was returned by %(unit)s (退单): %(reason)s"),
    NotificationKind.SENT_BACK: _("The reply to order %(order)s was sent back by the hotline: %(reason)s"),
    NotificationKind.WHISTLE: _(
        "吹哨报到: %(unit)s calls you in on order %(order)s: sign by %(sign_due)s, be on site by %(on_site_due)s. %(reason)s"
    ),
    NotificationKind.RECTIFICATION: _(
        "Your unit is on the rectification list of %(period)s (整改): submit the %(what)s by %(due)s."
    ),
    NotificationKind.RECTIFICATION_SUBMITTED: _("%(unit)s submitted its rectification for %(period)s: review it."),
    NotificationKind.RECTIFICATION_REVIEWED: _("Your rectification for %(period)s: %(decision)s. %(note)s"),
    NotificationKind.RECTIFICATION_OVERDUE: _(
        "%(unit)s has not submitted its %(what)s for %(period)s, due %(due)s: follow it up."
    ),
    NotificationKind.RECTIFICATION_WITHDRAWN: _(
        "The revised ranking of %(period)s no longer lists %(unit)s: its rectification is withdrawn."
    ),
    NotificationKind.REFERRAL_WITHDRAWN: _(
        "The revised ranking of %(period)s ends the streak of %(unit)s: its %(kind)s is withdrawn."
    ),
    NotificationKind.GUIDANCE: _("督导: %(department)s helps %(street)s, a 治理类 street of %(period)s."),
    NotificationKind.REFERRAL: _("%(kind)s: %(unit)s was in the last 10 for %(months)s months in a row."),
    NotificationKind.MILESTONE_DUE: _("Milestone “%(milestone)s” of the topic “%(topic)s” is due %(due)s."),
    NotificationKind.TOPIC_ASSIGNED: _("Your unit leads the governance topic “%(topic)s”: the plan is on its page."),
    NotificationKind.ACTION_TO_VERIFY: _("%(unit)s recorded a 未诉先办 action to verify: %(what)s"),
    NotificationKind.WHISTLE_RAISED: _(
        "%(unit)s blew the whistle on order %(order)s for %(units)s: confirm it. %(reason)s"
    ),
    NotificationKind.WHISTLE_DECIDED: _("Your whistle %(whistle)s on order %(order)s was %(decision)s"),
    NotificationKind.WHISTLE_LATE: _("报到 late: %(unit)s did not %(what)s by %(due)s (order %(order)s)."),
}


def text_of(kind: str, data: dict) -> str:
    """The text of a notification; a figure missing from `data` shows as "—" rather than failing."""
    template = TEXTS.get(kind)
    if template is None:
        return str(NotificationKind(kind).label) if kind in NotificationKind.values else kind
    return str(template) % defaultdict(lambda: "—", data)
