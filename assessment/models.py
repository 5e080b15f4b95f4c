"""Assessment (压力感知): the scoring scheme as versioned data, and each month's frozen snapshot of
what every order counted and what every unit scored."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


def default_scores() -> dict:
    """Per-answer scores (每单得分) of the default scheme."""
    return {
        "contacted": {"true": 100, "false": 0},
        "resolution": {"resolved": 100, "partly": 50, "unresolved": 0},
        "satisfaction": {"satisfied": 100, "basically": 80, "unsatisfied": 0},
    }


class Scheme(models.Model):
    """考核方案: weights, per-answer scores, bonus formula, tier sizes and minimum volume. A month is
    scored with the latest scheme whose `valid_from` is not after the month's first day."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    valid_from = models.DateField(_("valid from"))
    weight_response = models.DecimalField(_("weight of 响应率"), max_digits=4, decimal_places=2, default=Decimal("0.30"))
    weight_resolution = models.DecimalField(_("weight of 解决率"), max_digits=4, decimal_places=2, default=Decimal("0.35"))
    weight_satisfaction = models.DecimalField(
        _("weight of 满意率"), max_digits=4, decimal_places=2, default=Decimal("0.35")
    )
    scores = models.JSONField(_("per-answer scores"), default=default_scores)
    # 激励: a resolved group demand earns `bonus_per_complainant` for each complainant beyond the first;
    # a resolved historical problem earns `bonus_per_year` for each year since it began; capped per unit.
    bonus_per_complainant = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.20"))
    bonus_per_year = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.50"))
    bonus_cap = models.DecimalField(_("bonus cap"), max_digits=5, decimal_places=2, default=Decimal("5.00"))
    tier_size = models.PositiveSmallIntegerField(_("units per tier"), default=10)
    min_volume = models.PositiveSmallIntegerField(_("minimum counted orders to be ranked"), default=5)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-valid_from", "-version"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return f"v{self.version} ({self.valid_from})"

    def clean(self):
        from django.core.exceptions import ValidationError

        expected = default_scores()
        scores = self.scores if isinstance(self.scores, dict) else {}
        for question, answers in expected.items():
            if not isinstance(scores.get(question), dict) or set(scores[question]) != set(answers):
                raise ValidationError({"scores": _("Give a score for every answer: %(keys)s.") % {
                    "keys": "; ".join(f"{q}: {', '.join(a)}" for q, a in expected.items())}})
        if min(self.weight_response, self.weight_resolution, self.weight_satisfaction) < 0:
            raise ValidationError(_("Weights cannot be negative."))


class Tier(models.TextChoices):
    GOVERNANCE = "governance", _("治理类 (most demands)")
    ADVANCED = "advanced", _("先进类 (top)")
    IMPROVED = "improved", _("进步类 (most improved)")
    RECTIFY = "rectify", _("整改类 (bottom)")
    ORDINARY = "ordinary", _("一般")
    INSUFFICIENT = "insufficient", _("Too few orders to rank")


class Snapshot(models.Model):
    """One scoring of one month (revision 1, 2… after appeals). Frozen: later edits of orders do not
    change it; the current revision is the latest."""

    period = models.DateField(_("month"))  # the first day
    revision = models.PositiveIntegerField(default=1)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT)
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-period", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["period", "revision"], name="snapshot_revision_unique"),
            models.UniqueConstraint(fields=["period"], condition=models.Q(is_current=True), name="snapshot_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} r{self.revision}"


class SnapshotOrder(models.Model):
    """What one order counted for its lead unit in the month (the inputs, frozen).

    A month is a million rows written by one INSERT … SELECT from rows that exist (the orders, their
    units): the order and unit references are not re-checked row by row by the database
    (db_constraint=False; Django's PROTECT still refuses to delete an order or unit a snapshot holds),
    and one index (snapshot, unit) serves every read (a unit's scorecard, a snapshot's rates)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="orders", db_index=False)
    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.PROTECT, related_name="+",
                              db_constraint=False, db_index=False)
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False)
    contacted = models.BooleanField()
    resolution = models.CharField(max_length=12)
    satisfaction = models.CharField(max_length=12)
    response_score = models.DecimalField(max_digits=6, decimal_places=2)
    resolution_score = models.DecimalField(max_digits=6, decimal_places=2)
    satisfaction_score = models.DecimalField(max_digits=6, decimal_places=2)
    complainants = models.PositiveIntegerField(default=1)
    problem_since = models.PositiveSmallIntegerField(null=True, blank=True)
    bonus = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes = [models.Index(fields=["snapshot", "unit"], name="snapshot_order_unit")]


class SnapshotUnit(models.Model):
    """A unit's result in the month: volume, the three rates, bonus, score, rank and tier."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=24)
    volume = models.PositiveIntegerField(default=0)
    per_10k = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    assessed = models.PositiveIntegerField(default=0)
    response_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    resolution_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    satisfaction_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    bonus = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    previous_score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(null=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    # Process indicators (过程指标) over the lead orders dispatched to the unit in the month.
    dispatched = models.PositiveIntegerField(default=0)
    signed_in_time = models.DecimalField(max_digits=6, decimal_places=2, null=True)  # % signed within 24 h
    replied_on_time = models.DecimalField(max_digits=6, decimal_places=2, null=True)  # % replied by the deadline
    returned = models.PositiveIntegerField(default=0)  # 退单
    rehandled = models.PositiveIntegerField(default=0)  # 重办
    extended = models.PositiveIntegerField(default=0)  # 延期
    overdue = models.PositiveIntegerField(default=0)  # past the deadline without a reply at scoring time

    class Meta:
        ordering = ["rank", "-score", "unit__code"]
        indexes = [models.Index(fields=["snapshot", "level", "rank"], name="snapshot_unit_rank")]

    @property
    def change(self):
        """Score change over the previous month (None when either month has no score)."""
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Exemption(models.Model):
    """不合理诉求: an order that should not count (proposed by a dispatcher, decided by a supervisor),
    or exempted because the unit's appeal was accepted."""

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="exemptions")
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    proposed_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=models.Q(status="approved"), name="one_exemption_per_order"),
        ]


class Appeal(models.Model):
    """申诉: a unit contests how an order counted in a month, with its reason and evidence, within the
    window after the snapshot; an accepted appeal exempts the order and rescores the month."""

    snapshot_order = models.ForeignKey(SnapshotOrder, on_delete=models.CASCADE, related_name="appeals")
    period = models.DateField()
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    submitted_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    revision = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["submitted_at", "id"]


class Instruction(models.Model):
    """领导批示: a leader's annotation on an order or a unit's ranking row; it becomes a supervision
    task (督办) for the unit with a deadline, and the unit's answer flows back to the leader."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the unit")
        ANSWERED = "answered", _("Answered")

    leader = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="instructions")
    order = models.ForeignKey("dispatch.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ranking = models.ForeignKey(SnapshotUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # On a report (《市民热线反映》): a section of it, or one item (a case, a hotspot, a ranking row).
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="instructions")
    report_section = models.CharField(max_length=24, blank=True)
    report_row = models.ForeignKey("reports.ReportRow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("instruction"))
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
