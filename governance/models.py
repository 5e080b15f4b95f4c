"""主动治理's records. A history import (历史导入) is a job: who brought which file in, how far it got,
and the report of every row it refused."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{instance.created_at:%Y/%m}/{filename}"


class HistoryImport(models.Model):
    """One run of `importdemands`, from the command line or an upload in the admin (then a Celery task
    runs it and the page follows its progress)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused: rows to correct")  # bad rows, nothing written
        FAILED = "failed", _("Failed")  # the file could not be read

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)  # the file's name or path
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.CSV)
    dry_run = models.BooleanField(_("check only (dry run)"), default=False)
    skip_invalid = models.BooleanField(_("write the valid rows, skip the bad ones"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=16, blank=True)  # reading / writing
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    fraction = models.FloatField(default=0.0)  # of the file read, 0–1
    report = models.JSONField(_("report"), default=dict, blank=True)
    detail = models.TextField(blank=True)  # why the file could not be read
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self) -> str:
        return self.source or str(self.file)


class Topic(ConcurrentTransitionMixin, models.Model):
    """治理主题: a problem of many demands, to be governed rather than answered one by one (举一反三).
    The nightly mining (governance.mining) proposes them with their evidence — the demands, a daily
    trend, the rule that fired — ordered by `heat`; a supervisor approves or dismisses a proposal.

    `key` is the mining's identity of a proposal (the rule and what it is about): a rerun refreshes the
    proposal instead of adding another, and one approved or dismissed is not proposed again."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Same problem, same place")  # 文本聚类
        SURGE = "surge", _("Surge")  # 激增
        REPEAT_PLACE = "repeat_place", _("Repeated place")  # 重复地点
        REPEAT_CALLER = "repeat_caller", _("Repeated caller")  # 重复来电
        SEASONAL = "seasonal", _("Seasonal")  # 季节性
        INSTRUCTION = "instruction", _("Leader's 批示")
        MONTHLY = "monthly", _("每月一题")
        INITIATIVE = "initiative", _("Street's initiative")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        EVALUATED = "evaluated", _("Evaluated")
        DISMISSED = "dismissed", _("Dismissed")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    title = models.CharField(_("title"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    heat = models.FloatField(_("heat"), default=0.0)
    demand_count = models.PositiveIntegerField(_("demands"), default=0)
    caller_count = models.PositiveIntegerField(_("callers"), default=0)
    first_at = models.DateTimeField(_("first demand"), null=True, blank=True)
    last_at = models.DateTimeField(_("last demand"), null=True, blank=True)
    street = models.ForeignKey(
        "core.Unit",
        verbose_name=_("street / township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "core.Unit", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "core.Category", verbose_name=_("matter category"), null=True, blank=True, on_delete=models.PROTECT
    )
    rule = models.JSONField(_("rule"), default=dict, blank=True)  # what fired: the rule, thresholds, figures
    trend = models.JSONField(_("trend"), default=list, blank=True)  # [[day, demands], …] over the window
    demands = models.ManyToManyField("intake.Demand", through="TopicDemand", related_name="+")
    mined_at = models.DateTimeField(_("mined at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Once taken up: who governs it (牵头单位), the leader answering for it (责任领导), the plan; when the work
    # began and ended, and its measured effect (governance.effect: demands before and after).
    owner = models.ForeignKey(
        "core.Unit", verbose_name=_("owner unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField(_("plan"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    effect = models.JSONField(_("effect"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-heat", "-id"]
        verbose_name = _("governance topic")
        verbose_name_plural = _("governance topics")
        indexes = [
            # The proposal queue: a status, hottest first.
            models.Index(fields=["status", "-heat"], name="topic_queue"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=status, source=Status.PROPOSED, target=Status.APPROVED)
    def approve(self):
        """A supervisor takes the proposal up as a topic to govern (its owner and plan come next)."""

    @transition(field=status, source=Status.PROPOSED, target=Status.DISMISSED)
    def dismiss(self):
        """A supervisor sets the proposal aside, saying why; the mining does not propose it again."""

    @transition(field=status, source=Status.APPROVED, target=Status.IN_PROGRESS)
    def start(self):
        """The owner unit sets to work on a plan (the service checks that both are named)."""

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.DONE)
    def finish(self):
        """The owner unit reports the work done; from now on the demands are counted again."""

    @transition(field=status, source=Status.DONE, target=Status.EVALUATED)
    def evaluate(self):
        """A supervisor records the measured effect (the demands before against after), not a declaration."""


class Milestone(models.Model):
    """A step of a topic's plan with its due date; the sweep reminds the owner unit of it once, a day
    before it falls due (`remind_at`, cleared when reminded or done)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # governance.milestones_due (every 10 minutes): the milestones whose reminder is due.
            models.Index(fields=["remind_at"], name="milestone_remind", condition=models.Q(remind_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title


class TopicEvent(models.Model):
    """Every change of a topic (the audit trail): who, when, from, to, why."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    LABELS = {
        "proposed": _("Proposed by the mining"),
        "created": _("Proposed"),
        "progress": _("Progress report"),
        "approve": _("Approved"),
        "dismiss": _("Dismissed"),
        "start": _("Set to work"),
        "milestone": _("Milestone added"),
        "milestone_done": _("Milestone done"),
        "finish": _("Reported done"),
        "evaluate": _("Evaluated"),
    }

    class Meta:
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.kind, self.kind))


class TopicDemand(models.Model):
    """A demand that is evidence of a topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="links")
    demand = models.ForeignKey("intake.Demand", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "demand"], name="topic_demand_once")]


class DemandTerms(models.Model):
    """The mining's reading of one demand, kept: the place it names and its words (jieba), computed once —
    by the first mining that sees the demand — so that a year's mining segments each text once, not
    every night. Derived data: deleting the rows only costs the next run the time to read them again."""

    demand = models.OneToOneField(
        "intake.Demand", primary_key=True, on_delete=models.CASCADE, related_name="mining_terms"
    )
    place = models.CharField(max_length=100, blank=True)
    words = models.TextField(blank=True)  # space-separated


class Consultation(models.Model):
    """民主协商 / 联席会商 at a street (the second seed's 层级互动): the date, who convened it, who took part
    (residents, enterprises, social organisations, departments), what was raised and what was decided,
    and the topics and orders it was about."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("民主协商 with residents")
        DEPARTMENTS = "departments", _("联席会商 with departments")

    class Party(models.TextChoices):
        RESIDENTS = "residents", _("Residents")
        ENTERPRISES = "enterprises", _("Enterprises")
        ORGANISATIONS = "organisations", _("Social organisations")
        DEPARTMENTS = "departments", _("Departments")

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("street / township"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    convenor = models.CharField(_("convened by"), max_length=100)
    participants = models.TextField(_("participants"))
    parties = models.JSONField(_("taking part"), default=list, blank=True)  # Party values
    issues = models.TextField(_("issues"))
    decisions = models.TextField(_("decisions"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="consultations")
    orders = models.ManyToManyField("dispatch.WorkOrder", blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["unit", "-held_on"], name="consultation_street")]

    def __str__(self) -> str:
        return f"{self.unit} {self.held_on}"

    @property
    def parties_display(self) -> list[str]:
        labels = dict(self.Party.choices)
        return [str(labels.get(p, p)) for p in self.parties]

    @property
    def order_numbers(self) -> list[str]:
        return [order.number for order in self.orders.all()]


class ProactiveAction(ConcurrentTransitionMixin, models.Model):
    """未诉先办: something a unit did before anyone called about it (clearing a drain before the rains,
    fixing the heating of a block before November), with its evidence. The district over the unit, or the
    hotline, verifies it; a verified action earns the points its month's scheme gives (a capped bonus in
    the monthly assessment, through hotline.core.credits), in the month it was verified."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for verification")
        VERIFIED = "verified", pgettext_lazy("未诉先办", "Verified")
        REJECTED = "rejected", _("Not verified")

    unit = models.ForeignKey("core.Unit", verbose_name=_("acting unit"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("core.Category", verbose_name=_("matter category"), on_delete=models.PROTECT)
    area = models.ForeignKey(
        "core.Unit", verbose_name=_("area (street or community)"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    acted_on = models.DateField(_("done on"))
    what = models.TextField(_("what was done"))
    evidence = models.TextField(_("evidence"), blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), default=0)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("governance topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, protected=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verdict_note = models.TextField(blank=True)
    # The client's key of the submission (Idempotency-Key or the form's token): a retry records it once.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-acted_on", "-id"]
        verbose_name = _("proactive action (未诉先办)")
        verbose_name_plural = _("proactive actions (未诉先办)")
        indexes = [
            models.Index(fields=["unit", "-acted_on"], name="action_unit"),
            # hotline.core.credits (the monthly freeze): the actions verified in a month.
            models.Index(fields=["verified_at"], name="action_verified", condition=models.Q(status="verified")),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.acted_on}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.VERIFIED)
    def verify(self):
        """The district over the unit, or the hotline, checked the evidence: it happened, before any call."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self):
        """The evidence does not show it (or it answered orders already received): no points, with the reason."""


class ActionEvent(models.Model):
    """Every change of a proactive action (the audit trail)."""

    action = models.ForeignKey(ProactiveAction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    LABELS = {
        "recorded": _("Recorded"),
        "verify": pgettext_lazy("未诉先办", "Verified"),
        "reject": _("Not verified"),
    }

    class Meta:
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.kind, self.kind))


def evidence_upload_to(instance, filename: str) -> str:
    from hotline.core.uploads import random_name

    return random_name(f"governance/{instance.uploaded_at:%Y-%m}", filename)


class Attachment(models.Model):
    """A file of evidence: of a proactive action, or of a topic's progress report (a TopicEvent). Kept under
    a random name, served only to those who may see the record it belongs to."""

    action = models.ForeignKey(
        ProactiveAction, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(TopicEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__isnull=False, event__isnull=True)
                | models.Q(action__isnull=True, event__isnull=False),
                name="attachment_one_owner",
            )
        ]
