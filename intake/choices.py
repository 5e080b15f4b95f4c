from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """Where a demand came in (one number, many channels)."""

    PHONE = "phone", _("Phone")  # 电话
    WEB = "web", _("Web portal")  # 网站
    APP = "app", _("App")  # 北京12345 App
    WECHAT = "wechat", _("WeChat")  # 微信
    WEIBO = "weibo", _("Weibo")  # 微博
    ENTERPRISE = "enterprise", _("Enterprise line")  # 企业服务专席
    OPEN311 = "open311", _("Open311 partner")


class DemandType(models.TextChoices):
    """诉求类型."""

    CONSULT = "consult", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", pgettext_lazy("demand type", "Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    PRAISE = "praise", _("Praise")  # 表扬


class Urgency(models.TextChoices):
    """Drives the dispatch time limit (1 h / 2 h / 24 h)."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent: threat to life or property")  # 紧急
    UTILITY = "utility", _("Water, power, gas, heating or extreme weather")  # 水电气热/极端天气


class Disposition(models.TextChoices):
    """What became of a demand at intake (受理结果)."""

    ANSWERED = "answered", _("Answered on the call")  # 直接答复
    DISPATCHED = "dispatched", _("Dispatched")  # 已派单
    PENDING_DISPATCH = "pending_dispatch", _("Waiting for a dispatcher")  # 待派单
    MERGED = "merged", _("Merged into an open order")  # 重复件
    REFUSED = "refused", _("Refused or transferred")  # 不予受理/转办
    # 历史导入: a demand of the city's old system, brought in for 主动治理's mining (governance.imports):
    # history only — no work order, no time limit, no message to the caller.
    IMPORTED = "imported", _("History (imported)")


DISPOSITION_COLOURS = {
    Disposition.ANSWERED: "success",
    Disposition.DISPATCHED: "primary",
    Disposition.PENDING_DISPATCH: "warning",
    Disposition.MERGED: "secondary",
    Disposition.REFUSED: "dark",
    Disposition.IMPORTED: "light",
}


class RefusalReason(models.TextChoices):
    """Why a demand is not accepted (不予受理), and where it goes instead."""

    POLICE = "police_110", _("Emergency: transferred to 110 police")
    FIRE = "fire_119", _("Emergency: transferred to 119 fire and rescue")
    MEDICAL = "medical_120", _("Emergency: transferred to 120 ambulance")
    TRAFFIC = "traffic_122", _("Emergency: transferred to 122 traffic police")
    LITIGATION = "litigation", _("In litigation (诉讼)")
    ARBITRATION = "arbitration", _("In arbitration (仲裁)")
    PETITION = "petition", _("A petition matter (信访)")
    DISCIPLINE = "discipline", _("A discipline-inspection matter (纪检监察)")


# What the agent reads to the caller for each refusal (口径).
REFUSAL_SCRIPTS = {
    RefusalReason.POLICE: _(
        "This is an emergency for the police. I am transferring your call to 110 now; please stay on the line."
    ),
    RefusalReason.FIRE: _(
        "This is a fire or rescue emergency. I am transferring your call to 119 now; please stay on the line."
    ),
    RefusalReason.MEDICAL: _(
        "This is a medical emergency. I am transferring your call to 120 now; please stay on the line."
    ),
    RefusalReason.TRAFFIC: _(
        "This is a traffic emergency. I am transferring your call to 122 now; please stay on the line."
    ),
    RefusalReason.LITIGATION: _(
        "Your matter is before a court. By law the hotline cannot intervene in litigation; please follow "
        "the court's procedure or consult a lawyer or the 12348 legal-aid line."
    ),
    RefusalReason.ARBITRATION: _(
        "Your matter is in arbitration. The hotline cannot intervene; please follow the arbitration "
        "procedure or contact the arbitration commission that handles it."
    ),
    RefusalReason.PETITION: _(
        "Your matter belongs to the petition (信访) channel. Please submit it to the petition office "
        "through its own procedure; the hotline cannot accept it."
    ),
    RefusalReason.DISCIPLINE: _(
        "Reports about officials' discipline belong to the discipline-inspection and supervision "
        "authorities (纪检监察). Please report through 12388 or their website."
    ),
}


class Action(models.TextChoices):
    """What the agent decides to do with a call (the four buttons of the call form)."""

    ROUTE = "route", _("Dispatch")
    ANSWER = "answer", _("Answered on the call")
    MERGE = "merge", _("Merge into the open order")
    REFUSE = "refuse", _("Refuse / transfer")


class SuggestionStage(models.TextChoices):
    """Where the smart-dispatch model's suggestions met a decision (智能派单)."""

    DESK = "desk", _("Agent's desk")  # 受理: the agent chose the category
    DISPATCH = "dispatch", _("Dispatcher")  # the dispatcher kept or corrected it
    HISTORY = "history", _("Imported history")  # a dispatcher categorised a demand of the old system
    AUTO = "auto", _("Automatic")  # 自动分类: the model's top suggestion, above the threshold
    CORRECTION = "correction", _("Correction")  # a person corrected an automatic category


class SuggestionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Top suggestion kept")
    OTHER = "other", _("Second or third suggestion chosen")
    OVERRIDDEN = "overridden", _("Overridden")
    AUTOMATIC = "automatic", _("Set automatically")
