from django.db import models
from django.utils.translation import gettext_lazy as _


class Resolution(models.TextChoices):
    """给您解决了没有: the unit's own answer in its reply, and the citizen's in the evaluation."""

    RESOLVED = "resolved", _("Resolved")  # 已解决
    PARTLY = "partly", _("Partly resolved")  # 部分解决
    UNRESOLVED = "unresolved", _("Unresolved")  # 未解决


class Satisfaction(models.TextChoices):
    """您满意不满意."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Text message")
    OTHER = "other", _("Other")


class ReplyReview(models.TextChoices):
    """The hotline's check of a unit's reply (审核)."""

    PENDING = "pending", _("Waiting for the hotline's check")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class Source(models.TextChoices):
    CALLBACK = "callback", _("Callback")  # 回访
    SELF = "self", _("Citizen's own evaluation")  # 自评 (one-time link)


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the callback")
    DONE = "done", _("Citizen answered")
    UNREACHABLE = "unreachable", _("Citizen unreachable")
    CANCELLED = "cancelled", _("No longer needed")
