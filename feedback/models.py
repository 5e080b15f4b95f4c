"""Feedback (信息上传): the unit's reply in two parts (双反馈) and the hotline's check of it, the
callback (回访) with its three questions, and the citizen's own evaluation through a one-time link."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import CallbackStatus, ContactMethod, ReplyReview, Resolution, Satisfaction, Source


class Reply(models.Model):
    """The unit's reply (办结反馈), in two parts kept apart (双反馈): what the citizen is told, and
    what the hotline is told (contacted? resolved?), with the hotline's check of it (审核)."""

    # The choices as they were reachable when the reply lived in dispatch (the API schema's enum names).
    Resolution = Resolution

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="replies")
    contacted = models.BooleanField(_("contacted the citizen"))
    resolved = models.CharField(_("result"), max_length=12, choices=Resolution.choices)
    reply_to_citizen = models.TextField(_("reply to the citizen"))
    reply_to_hotline = models.TextField(_("reply to the hotline"))
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contact_method = models.CharField(_("contacted by"), max_length=12, choices=ContactMethod.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))
    # The hotline's check (审核): accepted, or sent back with a reason.
    review = models.CharField(_("review"), max_length=12, choices=ReplyReview.choices, default=ReplyReview.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # The quality check (feedback.quality): what the reviewer should read twice, counted per unit.
    # Defaults in the database too: the generator COPYs replies without these columns (demo/orders.py).
    flags = models.JSONField(
        _("quality flags"), default=list, db_default=models.Value([], output_field=models.JSONField()), blank=True
    )
    # The reply to the citizen's words, hashed: the same text pasted into many orders (boilerplate).
    text_hash = models.CharField(max_length=32, blank=True, default="", db_default="", db_index=True, editable=False)

    class Meta:
        ordering = ["-at"]


class CooperationRating(models.Model):
    """The lead unit's rating of an assisting unit's cooperation (协办配合评价), given with its reply: the
    street's 评价权 over the departments that helped it (or did not). One per assisting order; a later reply
    (after 重办) rates it again. Scored in the assisting unit's month (assessment: the 协办 part)."""

    order = models.OneToOneField("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="cooperation_rating")
    lead_order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("cooperation"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("cooperation rating (协办配合)")
        verbose_name_plural = _("cooperation ratings (协办配合)")


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
        from hotline.core.middleware import public_url

        return public_url(reverse("evaluate", args=[self.token]))


class ReplyTemplate(models.Model):
    """答复模板: a common answer a unit starts its reply to the citizen from (the reply form's picker fills
    the text, the handler completes it). For a matter category's branch, or any; the city's (no unit) or
    one unit's own. Administrators keep them in the admin."""

    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        "core.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title
