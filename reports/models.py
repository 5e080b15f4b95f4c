"""Reports (《市民热线反映》): each build of a daily, weekly or monthly report is a revision whose numbers
are frozen at build time.

A report is stored as facts and rows, each tagged with the materialised path of the unit it belongs
to (the demand's street or district, the order's unit), so that a district or street leader reads the
same report restricted to their subtree with one prefix filter, and the city reads the sum."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # inclusive
    revision = models.PositiveIntegerField(default=1)
    # The revision leaders read; a rebuild becomes current only when it is complete.
    is_current = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: the schedule
    requested_at = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    # Scope-independent facts of the build: compare periods, thresholds, the snapshot used.
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-period_start", "kind", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "revision"], name="report_revision_unique"),
            models.UniqueConstraint(
                fields=["kind", "period_start"], condition=models.Q(is_current=True), name="report_one_current"
            ),
        ]
        indexes = [models.Index(fields=["kind", "is_current", "-period_start"], name="report_kind_current")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        if self.period_start == self.period_end:
            span = f"{self.period_start:%Y-%m-%d}"
        else:
            span = f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"
        return f"{self.get_kind_display()} {span}"

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.READY, Status.FAILED)


class ReportFact(models.Model):
    """A count: `value` in the report's period, `prev` in the period before, `base` in the same weekday
    a week earlier (daily only). Summed over the reader's subtree at read time."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="facts")
    dimension = models.CharField(max_length=24)  # channel, demand_type, category, district, street, day, …
    key = models.CharField(max_length=32)
    label = models.CharField(max_length=100)
    path = models.CharField(max_length=255)  # the unit the count belongs to (subtree filter)
    value = models.BigIntegerField(default=0)
    prev = models.BigIntegerField(default=0)
    base = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["report", "dimension", "path"], name="report_fact_dim")]


class ReportRow(models.Model):
    """A listed item: a key case, a hotspot, an alert, a ranking row, a unit's rate sums."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="rows")
    section = models.CharField(max_length=24)
    position = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=255)
    # The unit a 批示 on this row goes to (the order's unit, the hotspot's street, the ranked unit).
    unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("dispatch.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    demand = models.ForeignKey("intake.Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["report", "section", "path"], name="report_row_section")]
