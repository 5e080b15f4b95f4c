"""Assessment (压力感知): the scoring scheme as versioned data, and each month's frozen snapshot of
what every order counted and what every unit scored."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from feedback.choices import Satisfaction

# The most a scheme may give for 主动治理 in a month, of a score out of 100 (Scheme.proactive_cap).
PROACTIVE_CAP_LIMIT = Decimal("5.00")


def default_scores() -> dict:
    """Per-answer scores (每单得分) of the default scheme."""
    return {
        "contacted": {"true": 100, "false": 0},
        "resolution": {"resolved": 100, "partly": 50, "unresolved": 0},
        "satisfaction": {"satisfied": 100, "basically": 80, "unsatisfied": 0},
    }


class Rule(models.TextChoices):
    """How an extra evaluation of a counted order counts (重办 rounds, late replies)."""

    BOTH = "both", _("Both count: the failure stays, the fix earns points back")
    KEEP_FIRST = "keep_first", _("Only the first counts")
    REPLACE = "replace", _("The later one replaces the first")


class LongPendingRule(models.TextChoices):
    """How an approved 挂账 counts."""

    SPLIT = "split", _("响应率 when it fell due; 解决率 and 满意率 at the expected date")
    AS_DUE = "as_due", _("As any order, at its deadline (挂账 changes nothing in the assessment)")


class Scheme(models.Model):
    """考核方案: every rule of the monthly assessment as data (docs/assessment.md states each in words).

    A month is scored with the latest active scheme of its scope whose `valid_from` is not after the
    month's first day: the city's (district empty) for the city ranking, a district's own for that
    district's internal ranking. A new version is added (and activated from a month on), never edited
    in place once a month was scored with it, so that every snapshot says which rules made it."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=64, blank=True)
    district = models.ForeignKey(
        "core.Unit",
        verbose_name=_("district (its own internal ranking)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "district"},
        help_text=_("Empty: the city's scheme, used for the city ranking."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"))
    # Result indicators (结果指标): the seed's 30/35/35.
    weight_response = models.DecimalField(
        _("weight of 响应率"), max_digits=4, decimal_places=2, default=Decimal("0.30")
    )
    weight_resolution = models.DecimalField(
        _("weight of 解决率"), max_digits=4, decimal_places=2, default=Decimal("0.35")
    )
    weight_satisfaction = models.DecimalField(
        _("weight of 满意率"), max_digits=4, decimal_places=2, default=Decimal("0.35")
    )
    # Process indicators (过程性指标, the second paper): each a share of the month's due orders that passed.
    weight_signed = models.DecimalField(_("weight of signing for in time"), max_digits=4, decimal_places=2, default=0)
    weight_on_time = models.DecimalField(_("weight of replying on time"), max_digits=4, decimal_places=2, default=0)
    weight_returns = models.DecimalField(
        _("weight of no unfounded return (退单)"), max_digits=4, decimal_places=2, default=0
    )
    weight_rehandles = models.DecimalField(
        _("weight of no re-handling (重办)"), max_digits=4, decimal_places=2, default=0
    )
    weight_extensions = models.DecimalField(
        _("weight of no extension (延期)"), max_digits=4, decimal_places=2, default=0
    )
    weight_overdue = models.DecimalField(_("weight of not overdue"), max_digits=4, decimal_places=2, default=0)
    weight_false_feedback = models.DecimalField(
        _("weight of truthful feedback (反馈不实)"), max_digits=4, decimal_places=2, default=0
    )
    # 协办 accountability: the assisting parts' own indicators (signed in time, replied on time, on site in
    # time when called in by a whistle, the lead unit's rating of the cooperation), averaged.
    weight_assist = models.DecimalField(
        _("weight of the assisting parts (协办)"), max_digits=4, decimal_places=2, default=0
    )
    scores = models.JSONField(_("per-answer scores"), default=default_scores)
    # What an order without an accepted reply by its deadline + grace is scored as (未答复).
    no_reply_contacted = models.BooleanField(_("no reply counts as contacted"), default=False)
    no_reply_resolution = models.CharField(_("no reply counts as"), max_length=12, default="unresolved")
    no_reply_satisfaction = models.CharField(_("no reply counts as"), max_length=12, default="unsatisfied")
    grace_working_days = models.PositiveSmallIntegerField(_("grace after the deadline (working days)"), default=1)
    settlement_working_days = models.PositiveSmallIntegerField(
        _("settlement window (working days of the next month)"), default=3
    )
    late_rule = models.CharField(_("a late reply's evaluation"), max_length=12, choices=Rule.choices, default=Rule.BOTH)
    rehandle_rule = models.CharField(
        _("a re-handled round's evaluation (重办)"), max_length=12, choices=Rule.choices, default=Rule.BOTH
    )
    long_pending_rule = models.CharField(
        _("an approved 挂账"), max_length=12, choices=LongPendingRule.choices, default=LongPendingRule.SPLIT
    )
    carry_months = models.PositiveSmallIntegerField(
        _("months an on-time reply waits for its evaluation"),
        default=2,
        help_text=_(
            "Replied on time but not yet evaluated when a month is frozen: carried into the next "
            "month's snapshot, at most this many times; then listed as never evaluated, not counted."
        ),
    )
    sign_within_hours = models.PositiveSmallIntegerField(_("signed for in time within (hours)"), default=24)
    unreachable_flag_factor = models.DecimalField(
        _("flag an unreachable share above the city's × "), max_digits=4, decimal_places=2, default=Decimal("2.00")
    )
    unreachable_flag_points = models.DecimalField(
        _("… and above the city's + (points)"), max_digits=5, decimal_places=2, default=Decimal("10.00")
    )
    # 申诉 quota (控制申诉数量): per unit and month, max(minimum, share × counted orders), rounded up.
    appeal_quota_min = models.PositiveSmallIntegerField(_("appeals per month at least"), default=2)
    appeal_quota_share = models.DecimalField(
        _("appeals per month as a share of counted orders"), max_digits=4, decimal_places=3, default=Decimal("0.050")
    )
    # 激励: a resolved group demand earns `bonus_per_complainant` for each distinct complainant beyond the
    # first; a resolved, verified historical problem earns `bonus_per_year` for each year since it began.
    bonus_per_complainant = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.20"))
    bonus_per_year = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.50"))
    bonus_cap = models.DecimalField(_("bonus cap"), max_digits=5, decimal_places=2, default=Decimal("5.00"))
    # 主动治理 (hotline.core.credits): a verified 未诉先办 action, and a governance topic the unit led that was
    # evaluated with demands down by at least `topic_min_reduction`, each earn points in the month verified
    # or evaluated; together at most `proactive_cap` (itself at most PROACTIVE_CAP_LIMIT, Scheme.clean),
    # times the share of the unit's orders answered in time.
    points_proactive_action = models.DecimalField(
        _("points per verified 未诉先办 action"), max_digits=5, decimal_places=2, default=Decimal("0.20")
    )
    points_governance_topic = models.DecimalField(
        _("points per evaluated governance topic"), max_digits=5, decimal_places=2, default=Decimal("0.50")
    )
    topic_min_reduction = models.DecimalField(
        _("a topic earns points when its demands fell by at least (share)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
    )
    proactive_cap = models.DecimalField(
        _("主动治理 bonus cap"), max_digits=5, decimal_places=2, default=Decimal("2.00")
    )
    tier_size = models.PositiveSmallIntegerField(_("units per tier"), default=10)
    min_volume = models.PositiveSmallIntegerField(_("minimum due orders to be ranked"), default=5)
    note = models.CharField(max_length=255, blank=True)

    WEIGHTS = (
        "weight_response",
        "weight_resolution",
        "weight_satisfaction",
        "weight_signed",
        "weight_on_time",
        "weight_returns",
        "weight_rehandles",
        "weight_extensions",
        "weight_overdue",
        "weight_false_feedback",
        "weight_assist",
    )

    class Meta:
        ordering = ["-valid_from", "-version"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(district__isnull=True), name="scheme_city_version_unique"
            ),
            models.UniqueConstraint(
                fields=["district", "version"],
                condition=models.Q(district__isnull=False),
                name="scheme_district_version_unique",
            ),
        ]

    def __str__(self) -> str:
        label = f"v{self.version}{' ' + self.name if self.name else ''} ({self.valid_from})"
        return f"{self.district.name} {label}" if self.district_id else label

    @property
    def weights_total(self) -> Decimal:
        return sum((getattr(self, name) for name in self.WEIGHTS), Decimal("0"))

    def clean(self):
        from django.core.exceptions import ValidationError

        expected = default_scores()
        scores = self.scores if isinstance(self.scores, dict) else {}
        for question, answers in expected.items():
            if not isinstance(scores.get(question), dict) or set(scores[question]) != set(answers):
                raise ValidationError(
                    {
                        "scores": _("Give a score for every answer: %(keys)s.")
                        % {"keys": "; ".join(f"{q}: {', '.join(a)}" for q, a in expected.items())}
                    }
                )
            if not all(isinstance(v, (int, float)) and 0 <= v <= 100 for v in scores[question].values()):
                raise ValidationError({"scores": _("Scores are numbers from 0 to 100.")})
        if min(getattr(self, name) for name in self.WEIGHTS) < 0:
            raise ValidationError(_("Weights cannot be negative."))
        if self.weights_total != Decimal("1.00"):
            raise ValidationError(
                _("The weights must add up to 1.00 (they add up to %(t)s).") % {"t": self.weights_total}
            )
        proactive = (self.points_proactive_action, self.points_governance_topic, self.proactive_cap)
        if min(proactive) < 0 or not 0 <= self.topic_min_reduction <= 1:
            raise ValidationError(
                _("主动治理 points and the cap cannot be negative; the reduction is a share from 0 to 1.")
            )
        # The 主动治理 bonus tilts a ranking among units that answer their orders (it is earned in proportion
        # to the orders answered in time, assessment.scoring._apply), and stays a few points of 100.
        if self.proactive_cap > PROACTIVE_CAP_LIMIT:
            raise ValidationError(
                _(
                    "The 主动治理 bonus cap is at most %(n)s points: it adds to answering orders, it does not outweigh it."
                )
                % {"n": PROACTIVE_CAP_LIMIT}
            )
        # Failing never pays: what a missing reply counts as must score no more than any real answer.
        no_reply = {
            "contacted": "true" if self.no_reply_contacted else "false",
            "resolution": self.no_reply_resolution,
            "satisfaction": self.no_reply_satisfaction,
        }
        for question, answer in no_reply.items():
            if answer not in scores[question] or scores[question][answer] > min(scores[question].values()):
                raise ValidationError(
                    _(
                        "A missing reply must count as the lowest-scoring answer of each question "
                        "(else not answering would score better than answering)."
                    )
                )


class Tier(models.TextChoices):
    GOVERNANCE = "governance", _("治理类 (most demands)")
    ADVANCED = "advanced", _("先进类 (top)")
    IMPROVED = "improved", _("进步类 (most improved)")
    RECTIFY = "rectify", _("整改类 (bottom)")
    ORDINARY = "ordinary", _("一般")
    INSUFFICIENT = "insufficient", _("Too few orders to rank")


class Snapshot(models.Model):
    """One scoring of one month (revision 1, 2… after appeals, exemptions or a rescoring): the city's,
    or a district's internal ranking. Frozen: later edits of orders do not change it; the current
    revision is the latest. A preview (预览) is the month so far, recomputed nightly, never current."""

    period = models.DateField(_("month"))  # the first day
    revision = models.PositiveIntegerField(default=1)  # 0 for a preview
    district = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT)
    computed_at = models.DateTimeField()
    as_of = models.DateTimeField(null=True, blank=True)  # the moment its facts were read as of
    is_current = models.BooleanField(default=True)
    is_preview = models.BooleanField(default=False)
    # 1: the first rules (an order counted in the month its evaluation was recorded); 2: docs/assessment.md.
    rules = models.PositiveSmallIntegerField(default=2)
    # A revision made by an appeal or a late exemption shares the item rows of the freeze it derives from
    # (its base) and writes only the items it changes: a month's million rows are not copied for each
    # decision. Empty: a freeze, whose rows are all its own. (assessment.selectors.items_of reads them.)
    base = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-period", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "revision"],
                name="snapshot_revision_unique",
                condition=models.Q(district__isnull=True, is_preview=False),
            ),
            models.UniqueConstraint(
                fields=["period", "district", "revision"],
                name="snapshot_district_revision_unique",
                condition=models.Q(district__isnull=False, is_preview=False),
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(is_current=True, district__isnull=True),
                name="snapshot_one_current",
            ),
            models.UniqueConstraint(
                fields=["period", "district"],
                condition=models.Q(is_current=True, district__isnull=False),
                name="snapshot_district_one_current",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(is_preview=True, district__isnull=True),
                name="snapshot_one_preview",
            ),
            models.UniqueConstraint(
                fields=["period", "district"],
                condition=models.Q(is_preview=True, district__isnull=False),
                name="snapshot_district_one_preview",
            ),
        ]

    def __str__(self) -> str:
        scope = f" {self.district.name}" if self.district_id else ""
        return f"{self.period:%Y-%m}{scope} " + ("preview" if self.is_preview else f"r{self.revision}")


class Kind(models.TextChoices):
    """Which due moment of an order an item is."""

    ROUND = "round", _("Handling round")  # the order (or its n-th 重办 round) at its deadline
    LATE = "late", _("Late reply")  # the evaluation of a reply that came after the deadline + grace
    RESPONSE = "response", _("挂账: response")  # an approved 挂账 at the deadline it replaced
    RESULT = "result", _("挂账: result")  # an approved 挂账 at its expected date
    ASSIST = "assist", _("Assisting part (协办)")  # an assisting order at its own deadline


class Outcome(models.TextChoices):
    """What became of an item in a month, and so how it counted (docs/assessment.md)."""

    EVALUATED = "evaluated", _("Evaluated")  # replied on time, the citizen answered: scored
    NO_REPLY = "no_reply", _("No reply in time")  # scored with the scheme's no-reply answers
    LATE = "late", _("Late reply, evaluated")  # scored by the late rule
    LONG_PENDING = "long_pending", _("挂账 approved")  # 响应率 only
    UNREACHABLE = "unreachable", _("Citizen unreachable")  # not scored; the share is shown
    CARRIED = "carried", _("Waiting for the evaluation: carried into next month")
    PENDING = "pending", _("Not settled yet")  # a preview's item whose outcome is still open
    UNEVALUATED = "unevaluated", _("Never evaluated")  # carried too long: not the unit's failure
    EXEMPTED = "exempted", _("Exempted")  # 不合理诉求 or an accepted appeal
    TRANSFERRED = "transferred", _("Re-dispatched (改派)")  # counts for the new unit
    NOT_COUNTED = "not_counted", _("Re-handled round, not counted by the scheme")
    REPLACED = "replaced", _("Replaced by its re-handled round")
    ASSISTING = "assisting", _("Assisting part: its own indicators")  # 协办: not in the three rates


COUNTED_OUTCOMES = (Outcome.EVALUATED, Outcome.NO_REPLY, Outcome.LATE, Outcome.LONG_PENDING)


class SnapshotOrder(models.Model):
    """One assessed item of the month (an order at one of its due moments): the facts it was judged on,
    its outcome and what it scored, frozen. Every unit figure of the snapshot is a sum over these rows,
    so a revision (an appeal, a late exemption) writes the rows it changes, marks the ones they replace,
    and sums again.

    A month is a million rows written in bulk from rows that exist (the orders, their units): the order
    and unit references are not re-checked row by row by the database (db_constraint=False; Django's
    PROTECT still refuses to delete an order or unit a snapshot holds), and one index (snapshot, unit)
    serves the reads (a unit's scorecard, a snapshot's sums)."""

    # The revision that wrote the row (db_constraint=False: a deferred check per row cost 4 s at the commit
    # of a million-row freeze; the freeze creates the snapshot in the same transaction).
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="orders", db_index=False, db_constraint=False
    )
    # The revision (number) of the same month that replaced this row with a changed one; empty: still live.
    replaced_in = models.PositiveIntegerField(null=True, blank=True)
    order = models.ForeignKey(
        "dispatch.WorkOrder", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        "core.Category", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ROUND)
    round = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.EVALUATED)
    due_at = models.DateTimeField(null=True)
    due_period = models.DateField(null=True)  # the month it fell due (earlier than the snapshot's when carried)
    counts_response = models.BooleanField(default=True)  # in 响应率
    counts_result = models.BooleanField(default=True)  # in 解决率 and 满意率
    counts_process = models.BooleanField(default=False)  # in the process indicators (once, in its due month)
    # The answers it counted with (the citizen's, or the scheme's no-reply answers) and their scores.
    contacted = models.BooleanField(null=True)
    resolution = models.CharField(max_length=12, blank=True)
    satisfaction = models.CharField(max_length=12, blank=True)
    response_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    resolution_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    satisfaction_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    # Process facts (过程指标) of the item.
    signed_in_time = models.BooleanField(default=False)
    replied_on_time = models.BooleanField(default=False)  # by the deadline
    replied_by_grace = models.BooleanField(default=False)  # by the deadline + grace (else: overdue)
    returned = models.BooleanField(default=False)  # 退单 the dispatcher rejected
    rehandled = models.BooleanField(default=False)  # 重办
    extended = models.BooleanField(default=False)  # 延期 (or 挂账)
    false_feedback = models.BooleanField(default=False)  # 反馈不实
    complainants = models.PositiveIntegerField(default=1)  # distinct callers (群体性)
    problem_since = models.PositiveSmallIntegerField(null=True, blank=True)  # verified 历史遗留 year
    bonus = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    # 协办 (kind assist): in the unit's assisting part, with on site in time (called in by a whistle: else
    # null) and the lead unit's rating of the cooperation (empty: not rated) and its score.
    counts_assist = models.BooleanField(default=False, db_default=False)
    on_site_in_time = models.BooleanField(null=True)
    cooperation = models.CharField(max_length=12, choices=Satisfaction.choices, blank=True, default="", db_default="")
    cooperation_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "unit"], name="snapshot_order_unit"),
            # The next month's freeze reads the items this one carried (outcome carried).
            models.Index(fields=["snapshot"], name="snapshot_order_carried", condition=models.Q(outcome="carried")),
        ]


class SnapshotUnit(models.Model):
    """A unit's result in the month: volume, the three rates (scheme scores) and the plain shares, the
    process indicators, bonus, score, rank and tier — all sums over the snapshot's items."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=24)
    # Streets: 诉求 located there (each distinct caller once per order); other units: their due orders.
    volume = models.PositiveIntegerField(default=0)
    per_10k = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    due = models.PositiveIntegerField(default=0)  # lead orders (and 重办 rounds) that fell due in the month
    assessed = models.PositiveIntegerField(default=0)  # items scored
    # The scheme's scores (partial credit: 部分解决 50, 基本满意 80 …), averaged over the scored items.
    response_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    resolution_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    satisfaction_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    # Plain shares of the scored items: % contacted, % 已解决, % 满意.
    contacted_share = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    resolved_share = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    satisfied_share = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    no_reply = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    carried = models.PositiveIntegerField(default=0)
    exempted = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    unreachable_share = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    unreachable_flag = models.BooleanField(default=False)  # far above the city's share
    process_parts = models.JSONField(default=dict)  # each process indicator's pass share (%)
    process_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)  # their weighted sum
    bonus = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    previous_score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(null=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    below_minimum = models.BooleanField(default=False)  # fewer due orders than the scheme's minimum
    # Process indicators (过程指标) as counts and shares of the due items.
    dispatched = models.PositiveIntegerField(default=0)  # = due (the name the first rules used)
    signed_in_time = models.DecimalField(max_digits=6, decimal_places=2, null=True)  # % signed for in time
    replied_on_time = models.DecimalField(max_digits=6, decimal_places=2, null=True)  # % replied by the deadline
    returned = models.PositiveIntegerField(default=0)  # 退单 (rejected returns)
    rehandled = models.PositiveIntegerField(default=0)  # 重办
    extended = models.PositiveIntegerField(default=0)  # 延期
    overdue = models.PositiveIntegerField(default=0)  # no reply by the deadline + grace
    false_feedback = models.PositiveIntegerField(default=0)  # 反馈不实
    # 协办: the assisting orders that fell due in the month, the shares that passed each check (on site: of
    # those called in by a whistle), the lead units' average rating, and their mean (the assisting part).
    assist_due = models.PositiveIntegerField(default=0)
    assist_signed = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    assist_on_time = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    assist_on_site = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    assist_rating = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    assist_rated = models.PositiveIntegerField(default=0)
    assist_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    # 主动治理: the points of the month's credits (SnapshotCredit), capped by the scheme; part of `score`.
    proactive_bonus = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    proactive_credits = models.PositiveIntegerField(default=0)  # credits that earned points

    class Meta:
        ordering = ["rank", "-score", "unit__code"]
        indexes = [models.Index(fields=["snapshot", "level", "rank"], name="snapshot_unit_rank")]

    @property
    def change(self):
        """Score change over the previous month (None when either month has no score)."""
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


class SnapshotCredit(models.Model):
    """A 主动治理 credit as the month's freeze read it (hotline.core.credits): a verified 未诉先办 action or an
    evaluated governance topic, and the points the scheme gave it (0, with the reason, when it earned none).
    Frozen with the snapshot, so the scorecard shows what was counted even if the record changes later."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="credits")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24)
    ref = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    at = models.DateTimeField()
    url = models.CharField(max_length=200, blank=True)
    change = models.FloatField(null=True, blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.CharField(max_length=200, blank=True)  # why it earned nothing

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["snapshot", "unit"], name="snapshot_credit_unit")]


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    FORWARDED = "forwarded", _("Agreed by the district, waiting for the city")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class UnreasonableKind(models.TextChoices):
    """不合理诉求: why a demand should not count against the unit."""

    BEYOND_POLICY = "beyond_policy", _("Beyond what policy allows")  # 超出政策范围
    REFUSES = "refuses", _("The citizen refuses to cooperate")  # 诉求人拒不配合
    REDIALLING = "redialling", _("Malicious redialling")  # 恶意重复拨打
    REPEAT = "repeat", _("Repeat of a matter already answered")  # 已答复事项重复诉求
    PRIVATE = "private", _("A private dispute outside public duties")  # 私人纠纷
    OTHER = "other", _("Other")
    APPEAL = "appeal", _("An accepted appeal")


class Exemption(models.Model):
    """不合理诉求: an order that should not count (proposed by a dispatcher with its kind, decided by a
    supervisor), or exempted because the unit's appeal was accepted. One approved after its month was
    frozen makes a new revision of that month."""

    order = models.ForeignKey("dispatch.WorkOrder", on_delete=models.CASCADE, related_name="exemptions")
    # The handling round it exempts (an accepted appeal is about one item); empty: every round of the order
    # (不合理诉求 is about the demand).
    round = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnreasonableKind.choices, default=UnreasonableKind.OTHER)
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
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="approved", round__isnull=True),
                name="one_exemption_per_order",
            ),
            models.UniqueConstraint(
                fields=["order", "round"],
                condition=models.Q(status="approved", round__isnull=False),
                name="one_exemption_per_round",
            ),
        ]


class AppealReason(models.TextChoices):
    """Why a unit contests how an order counted (申诉理由)."""

    WITHDRAWN = "withdrawn", _("The citizen withdrew or confirmed it was solved")  # 诉求人撤诉/确认解决
    MISDISPATCHED = "misdispatched", _("Not our duty or territory (misdispatched)")  # 非本单位职责
    UNREASONABLE = "unreasonable", _("An unreasonable demand (不合理诉求)")
    WRONG_ANSWER = "wrong_answer", _("The recorded answer is wrong (callback error)")  # 回访记录有误
    FORCE_MAJEURE = "force_majeure", _("Force majeure or a city decision")  # 不可抗力
    DUPLICATE = "duplicate", _("A duplicate of an order already counted")  # 重复件
    OTHER = "other", _("Other")


class AppealOutcome(models.TextChoices):
    """What an accepted appeal changes in the month (a new revision)."""

    DROP = "drop", _("Drop the order from the month")
    CORRECT = "correct", _("Correct the recorded answer")
    REATTRIBUTE = "reattribute", _("Count it for another unit")


class Appeal(models.Model):
    """申诉: a unit contests how an order counted in a frozen month, with a reason, evidence and files,
    within the window after the month was first frozen and within its quota (控制申诉数量). The
    district reviews first (a unit under a district), then the city decides; an accepted appeal
    changes the month as asked (drop, correct, re-attribute) in a new revision, the old one intact."""

    snapshot_order = models.ForeignKey(SnapshotOrder, on_delete=models.CASCADE, related_name="appeals")
    period = models.DateField()
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    reason_kind = models.CharField(_("reason"), max_length=16, choices=AppealReason.choices, default=AppealReason.OTHER)
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    outcome = models.CharField(_("asked for"), max_length=12, choices=AppealOutcome.choices, default=AppealOutcome.DROP)
    # For a correction: the answers that should have been recorded; for a re-attribution: the unit.
    corrected_contacted = models.BooleanField(null=True, blank=True)
    corrected_resolution = models.CharField(max_length=12, blank=True)
    corrected_satisfaction = models.CharField(max_length=12, blank=True)
    reattribute_to = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    submitted_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    # The district's review (区级审核): skipped for units not under a district.
    district = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district_decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district_decided_at = models.DateTimeField(null=True, blank=True)
    district_note = models.TextField(blank=True)
    # The city's decision (市级审核).
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    revision = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["unit", "period"], name="appeal_unit_period")]


def appeal_upload_to(instance, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"appeals/{instance.appeal.period:%Y-%m}/{uuid.uuid4().hex}{suffix}"


class AppealAttachment(models.Model):
    """A file of evidence for an appeal (a photo, a signed statement, a recording), kept in the default
    storage (on disk by default; any Django storage backend through STORAGES in production) under a
    random name, and served only to the people who may read the appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=appeal_upload_to, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]


class Instruction(models.Model):
    """领导批示: a leader's annotation on an order, a unit's ranking row or a report item; it becomes a
    supervision task (督办) for the unit with a due date, and the unit's answer flows back to the leader.

    A 批示 travels (层级互动): the addressed unit's leader — a district's, or a 督查 supervisor — relays it down
    to the unit that will act, as a hop of its own (`parent`) with its own due date (not later than the hop
    above) and its own answer. Whoever issued a hop closes it once answered, or returns the answer with a
    comment and a new due date. A hop past its due date unanswered escalates once per due date (the sweep:
    `next_check_at`) and is listed in the daily report. Every step is a row of `steps`."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the unit")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="relays", verbose_name=_("relayed from")
    )
    # Who issued this hop: the leader who wrote the 批示, or whoever relayed it.
    leader = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="instructions")
    order = models.ForeignKey("dispatch.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ranking = models.ForeignKey(SnapshotUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # On a report (《市民热线反映》): a section of it, or one item (a case, a hotspot, a ranking row).
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="instructions"
    )
    report_section = models.CharField(max_length=24, blank=True)
    report_row = models.ForeignKey(
        "reports.ReportRow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("instruction"))
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    # Returned answers (退回): how many times, and the issuer's latest comment.
    return_count = models.PositiveSmallIntegerField(default=0)
    return_comment = models.TextField(_("comment"), blank=True)
    closed_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Past its due date unanswered: when (the due date), and the unit it was escalated to (once per due date).
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            # The sweep: hops whose due date is still to be watched.
            models.Index(
                fields=["next_check_at"], name="instruction_next_check", condition=models.Q(next_check_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"批示 #{self.pk} → {self.unit}"

    @property
    def root(self) -> "Instruction":
        node = self
        while node.parent_id is not None:
            node = node.parent
        return node


class InstructionStep(models.Model):
    """One step of a 批示 hop (issued, relayed, answered, returned, closed, overdue): who, when, what."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        RELAYED = "relayed", _("Relayed down")
        ANSWERED = "answered", _("Answered")
        RETURNED = "returned", _("Answer returned")
        CLOSED = "closed", _("Closed")
        OVERDUE = "overdue", _("Overdue: escalated")

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


# --- consequences after the ranking (考评后的精准反馈、整改落实) -----------------------------------------


class Rectification(models.Model):
    """整改: a unit in the month's 整改类 tier or last 10 owes a rectification plan (整改方案) within the
    working days of HOTLINE_RECTIFY_PLAN_DAYS of the freeze; the district over it (or, for a unit without
    one, a city supervisor) approves it or returns it. A unit still on the list the next month owes a
    progress report on the same terms (`kind` progress, `previous` the month before), until it leaves the
    list. One per unit and month (the monthly job is idempotent)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Rectification plan (整改方案)")
        PROGRESS = "progress", _("Monthly progress report")

    class Status(models.TextChoices):
        OWED = "owed", _("Owed")
        SUBMITTED = "submitted", _("Submitted, to review")
        RETURNED = "returned", _("Returned: submit again")
        APPROVED = "approved", _("Approved")
        # A revision of the month's ranking (appeals, exemptions) no longer lists the unit: it owes nothing.
        WITHDRAWN = "withdrawn", _("Withdrawn: the revised ranking no longer lists the unit")

    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"))
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PLAN)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    rank = models.PositiveIntegerField(null=True, blank=True)
    last_ten = models.BooleanField(_("in the last 10"), default=False)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OWED)
    plan = models.TextField(_("plan"), blank=True)
    submitted_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer_unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    # Past due and still owed: the reviewer's leaders and the unit's supervisors were told, once per due date.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "status", "unit__code"]
        indexes = [
            # The overdue sweep: owed or returned, past due, not yet escalated.
            models.Index(
                fields=["due_at"],
                name="rectification_to_escalate",
                condition=models.Q(status__in=["owed", "returned"], escalated_at__isnull=True),
            )
        ]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_rectification_per_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period:%Y-%m} {self.get_kind_display()}"


class Guidance(models.Model):
    """督导: a 治理类 street (the most demands) gets a city department assigned to help it, with a plan and
    visit records, from the month it entered the top 10 until the month it left it (`ended`)."""

    street = models.ForeignKey("core.Unit", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    started = models.DateField(_("from month"))
    ended = models.DateField(_("left the top 10 in"), null=True, blank=True)
    plan = models.TextField(_("plan"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-started", "street__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["street"], condition=models.Q(ended__isnull=True), name="one_open_guidance_per_street"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.street}"


class GuidanceVisit(models.Model):
    """A visit of the helping department to the street (督导记录): when, who, what was found and agreed."""

    guidance = models.ForeignKey(Guidance, on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    note = models.TextField(_("what was found and agreed"))
    by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-visited_at", "-id"]


class Referral(models.Model):
    """约谈 / 通报: a unit in the last 10 for HOTLINE_REFERRAL_MONTHS months in a row (the second seed: 朝阳区
    "月度排名连续两个月排名靠后，问题将移交区纪委监委"). Its evidence pack — the months' scorecards, the orders
    left unanswered, the 督办单 — is exported as PDF by a supervisor."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("约谈 (interview of the unit's leaders)")
        NOTICE = "notice", _("通报 (public notice)")

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"))
    months = models.PositiveSmallIntegerField(_("months in a row in the last 10"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField()
    # A revision of the ranking broke the streak: the referral stands withdrawn (kept, with when).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_referral_per_unit_month")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.period:%Y-%m}"
