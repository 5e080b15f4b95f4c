from django.db import models
from django.utils.translation import gettext_lazy as _


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
    REPORT = "report", _("Report")  # 举报
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


DISPOSITION_COLOURS = {
    Disposition.ANSWERED: "success",
    Disposition.DISPATCHED: "primary",
    Disposition.PENDING_DISPATCH: "warning",
    Disposition.MERGED: "secondary",
    Disposition.REFUSED: "dark",
}
