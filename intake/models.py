"""Intake (信息发现): citizen demands (诉求) as received by the hotline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DemandType, Disposition, Urgency


class Demand(models.Model):
    """A citizen's demand (诉求) as received: who, what, where, through which channel. A demand that
    needs handling becomes one work order per unit involved (dispatch.WorkOrder)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    demand_type = models.CharField(_("demand type"), max_length=16, choices=DemandType.choices)
    category = models.ForeignKey("core.Category", verbose_name=_("matter category"), on_delete=models.PROTECT)
    content = models.TextField(_("content"))
    caller_name = models.CharField(_("caller name"), max_length=64, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=32, db_index=True)
    confidential = models.BooleanField(_("confidential"), default=False)  # 保密: units never see identity
    address = models.CharField(_("address"), max_length=255, blank=True)
    street = models.ForeignKey(
        "core.Unit",
        verbose_name=_("street / township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    # 派单时限: a demand waiting for a dispatcher must be dispatched by then.
    dispatch_due_at = models.DateTimeField(_("dispatch due at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            # The dispatcher's queue: demands waiting for dispatch, oldest deadline first.
            models.Index(
                fields=["dispatch_due_at"],
                name="demand_pending_dispatch",
                condition=models.Q(disposition="pending_dispatch"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DailyCounter(models.Model):
    """The last number handed out on a day, for sequential per-day numbers (2026112300001)."""

    scope = models.CharField(max_length=16)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="daily_counter_unique")]
