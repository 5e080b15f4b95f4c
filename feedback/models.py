"""Feedback (信息上传): the hotline's check of a reply, the callback (回访) with its three questions,
the citizen's own evaluation through a one-time link, and the messages that would be sent."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dispatch.models import Reply
from hotline.core.fields import EncryptedTextField

# 给您解决了没有: the same three answers as the unit's own reply.
Resolution = Reply.Resolution


class Satisfaction(models.TextChoices):
    """您满意不满意."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


class Source(models.TextChoices):
    CALLBACK = "callback", _("Callback")  # 回访
    SELF = "self", _("Citizen's own evaluation")  # 自评 (one-time link)


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the callback")
    DONE = "done", _("Citizen answered")
    UNREACHABLE = "unreachable", _("Citizen unreachable")
    CANCELLED = "cancelled", _("No longer needed")


class Callback(models.Model):
    """One round of 回访 for an accepted reply: the callback agents' worklist, oldest first. A
    re-handled order gets a new round after its next accepted reply."""

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="callbacks")
    round = models.PositiveSmallIntegerField(default=0)  # the order's rehandle_count when it was queued
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.PENDING)
    queued_at = models.DateTimeField(_("queued at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "round"], name="callback_one_per_round")]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "queued_at"],
                name="callback_due",
                condition=models.Q(status="pending"),
            ),
        ]


class CallbackAttempt(models.Model):
    """Each time a callback agent dialled: reached or not, with a note."""

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reached = models.BooleanField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Evaluation(models.Model):
    """The citizen's answers to the three questions: the order's evaluation (评价), from a callback or
    the citizen's own link. The latest current one counts; a replaced one is kept, marked."""

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="evaluations")
    round = models.PositiveSmallIntegerField(default=0)  # the order's rehandle_count when recorded
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    contacted = models.BooleanField(_("contacted"))  # 有人跟您联系没有
    resolution = models.CharField(_("resolved"), max_length=12, choices=Resolution.choices)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    # 反馈不实: the unit said it contacted the citizen (or resolved the matter), the citizen says no.
    contradiction = models.BooleanField(_("contradicts the unit's reply"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=True)
    replaced_note = models.CharField(_("why it was replaced"), max_length=255, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(is_current=True), name="evaluation_one_current"
            ),
        ]


class EvaluationLink(models.Model):
    """A one-time link for the citizen's own evaluation (as a text message would carry it): an
    unguessable token that expires and can be used once. It is kept in clear so that the hotline
    can show it on the order page (it grants nothing but this one answer)."""

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="evaluation_links")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def url(self) -> str:
        return settings.HOTLINE_PUBLIC_URL.rstrip("/") + reverse("evaluate", args=[self.token])


class OutgoingMessage(models.Model):
    """A text message the platform would send (no SMS gateway here): logged, not delivered."""

    demand = models.ForeignKey("intake.Demand", on_delete=models.CASCADE, related_name="+")
    phone = EncryptedTextField(clear_max_length=32)  # personal information: encrypted at rest
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
