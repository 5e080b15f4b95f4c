"""Dispatch (信息下达): the dispatch catalogue (派单目录), time-limit policies (限时), work orders (工单)
under a state machine, their event trail, and the documents of escalation (提醒, 催办单, 督办单)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from hotline.core.access import may
from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput
from hotline.core.models import StoredFile

from .choices import (
    OPEN_STATUSES,
    Complexity,
    EventKind,
    ExtensionStatus,
    LimitUnit,
    ReturnApproval,
    ReturnReason,
    Role,
    Stage,
    Status,
    SupervisionStatus,
    TargetKind,
    WhistleStatus,
)


class CatalogueVersion(models.Model):
    """A version of the dispatch catalogue (派单目录). Exactly one is active; routing uses it. Editing
    a copy and activating it changes the rules without losing what the old version said."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("dispatch catalogue version")
        verbose_name_plural = _("dispatch catalogue versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_catalogue"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name}"


class CatalogueRule(models.Model):
    """Matter category × territory → unit, with its part (主办/协办). A rule on a level-2 category
    covers its level-3 children unless they have rules of their own; a rule with a district applies
    there only and beats a city-wide rule of the same category."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey("core.Category", verbose_name=_("matter category"), on_delete=models.PROTECT)
    district = models.ForeignKey(
        "core.Unit",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "district"},
        help_text=_("Empty: the whole city."),
    )
    target_kind = models.CharField(_("target"), max_length=24, choices=TargetKind.choices)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department_suffix = models.CharField(
        _("district department code suffix"), max_length=8, blank=True, help_text=_("e.g. D01 for 区城市管理委")
    )
    role = models.CharField(_("part"), max_length=8, choices=Role.choices, default=Role.MAIN)

    class Meta:
        ordering = ["version", "category__code", "role"]
        verbose_name = _("dispatch catalogue rule")
        verbose_name_plural = _("dispatch catalogue rules")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target_kind="unit") | models.Q(unit__isnull=False), name="rule_unit_needs_unit"
            ),
            models.CheckConstraint(
                condition=~models.Q(target_kind="district_department") | ~models.Q(department_suffix=""),
                name="rule_department_needs_suffix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.get_target_kind_display()} ({self.get_role_display()})"


class TimeLimitPolicy(models.Model):
    """A time limit (限时) for dispatch and handling. The most specific active policy matching the
    demand type, urgency, complexity and number of units applies; blank fields match anything."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    name = models.CharField(_("name"), max_length=100)
    demand_type = models.CharField(_("demand type"), max_length=16, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, blank=True)
    complexity = models.CharField(_("complexity"), max_length=16, choices=Complexity.choices, blank=True)
    multi_unit = models.BooleanField(_("several units"), null=True, blank=True)
    handling_amount = models.PositiveIntegerField(_("handling limit"))
    handling_unit = models.CharField(_("counted in"), max_length=16, choices=LimitUnit.choices)
    dispatch_hours = models.PositiveIntegerField(_("dispatch limit (hours)"), default=24)
    # The demand's channel (企业服务专席 has its own limits by matter type); blank matches any channel.
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    # Yellow light at this share of the limit (default: day 3 of 7): a warning on the queue, no document.
    warn_share = models.DecimalField(_("yellow share"), max_digits=4, decimal_places=3, default=Decimal("0.429"))
    # Red light at this share (default: day 5 of 7): the system's 督办, a notice to the unit's leader
    # (第五天系统自动督办，亮红灯，直接联系副镇长).
    red_share = models.DecimalField(_("red share"), max_digits=4, decimal_places=3, default=Decimal("0.714"))
    # 督办: a 督办单 this many working days after the 催办单, with its own deadline.
    supervise_after_working_days = models.PositiveIntegerField(_("督办 after (working days)"), default=2)
    supervision_working_days = models.PositiveIntegerField(_("督办单 deadline (working days)"), default=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")

    def __str__(self) -> str:
        return f"{self.name}: {self.handling_amount} {self.get_handling_unit_display()}"


# --- the rules of the graph that are not states: who (permission=) and under what guard (conditions=) ----
HANDLER = "dispatch.handle_order"  # the staff of the unit holding the order (hotline.core.access)
DISPATCHER = "dispatch.dispatch_demand"
REVIEWER = "feedback.review_reply"  # the hotline's check of a reply (审核)
CALLBACK = "feedback.record_callback"
REOPENER = "dispatch.reopen_order"


def _platform_only(order, user) -> bool:
    """Only the platform itself (the time-limit sweep) takes this step, never a person."""
    return False


def is_lead(order) -> bool:
    """The lead unit's order (主办): an assisting part (协办) is checked with the lead unit's reply."""
    return order.role == Role.MAIN


# What a failed guard answers: the error class, its code and the message.
GUARD_REFUSALS = {
    is_lead: (InvalidInput, "not_lead_order", _("An assisting unit's part is checked with the lead unit's reply.")),
}


def transition_permission(method_name: str):
    """What a person needs for a transition of WorkOrder (its `permission=`): a permission's name, a
    callable (order, user) -> bool, or None."""
    method = getattr(WorkOrder, method_name)
    (permission,) = {t.permission for t in method._django_fsm.transitions.values()}  # one rule per transition
    return permission


def failed_guard(order, method_name: str):
    """The error of the first of the transition's `conditions=` that `order` fails, or None."""
    method = getattr(order, method_name)
    transition = method._django_fsm.get_transition(method._django_fsm.field.get_state(order))
    for condition in transition.conditions if transition else ():
        if not condition(order):
            error, code, message = GUARD_REFUSALS[condition]
            return error(str(message), code=code)
    return None


class LeaderSignPolicy(models.Model):
    """亲自签办: the orders the catalogue dispatches straight (直派) to a unit of this level are signed for by
    the unit's leader in person, not by a handler (a policy per unit level, editable by administrators)."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    level = models.CharField(_("unit level"), max_length=24, choices=UnitLevel.choices, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("leader sign-off policy (亲自签办)")
        verbose_name_plural = _("leader sign-off policies (亲自签办)")

    def __str__(self) -> str:
        return self.level


class _Signer:
    """签收: the unit's staff; an order that needs its leader's own signature (亲自签办), the leader. A
    transition permission that can also say why it refused (dispatch.services.check_actor asks)."""

    def __call__(self, order, user) -> bool:
        if not may(user, HANDLER, order):
            return False
        return not order.leader_sign_required or may(user, "dispatch.sign_as_leader", order)

    def refusal(self, order, user) -> str | None:
        if may(user, HANDLER, order):  # one of the unit, not its leader
            return _("Order %(n)s waits for the unit's leader to sign for it in person (亲自签办).") % {
                "n": order.number
            }
        return None


_signer = _Signer()


class WorkOrder(
    ConcurrentTransitionMixin, models.Model
):  # (includes FSMModelMixin: refresh_from_db of protected fields)
    """A unit's part of a demand (工单): one for the lead unit (主办) and one per assisting unit (协办).

    The state graph is the transition methods below, each with who may take it (`permission=`, a rule
    of hotline.core.access) and its guards (`conditions=`); they never save and never send: the
    services call them through dispatch.services.order_transition, which checks both, saves, and
    writes the event row. The deadline is computed once at
    dispatch (and moved only by an approved extension or a reopening); the light is derived at read
    time; `next_check_at` is the next moment the time-limit sweep must look at the order."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    demand = models.ForeignKey("intake.Demand", on_delete=models.PROTECT, related_name="work_orders")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="work_orders")
    role = models.CharField(_("part"), max_length=8, choices=Role.choices, default=Role.MAIN)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.DISPATCHED, protected=True)
    complexity = models.CharField(
        _("complexity"), max_length=16, choices=Complexity.choices, default=Complexity.ORDINARY
    )
    policy = models.ForeignKey(TimeLimitPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    limit_amount = models.PositiveIntegerField(_("time limit"), default=7)
    limit_unit = models.CharField(
        _("counted in"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )

    dispatched_at = models.DateTimeField(_("dispatched at"))
    warn_at = models.DateTimeField(_("warning at"))
    red_at = models.DateTimeField(_("red from"))  # 00:00 of the deadline day
    deadline = models.DateTimeField(_("deadline"))
    escalate_at = models.DateTimeField(_("督办 due at"))
    stage = models.PositiveSmallIntegerField(_("escalation stage"), choices=Stage.choices, default=Stage.NONE)
    next_check_at = models.DateTimeField(null=True, blank=True)

    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # 亲自签办: dispatched straight to a unit whose level needs its leader's own signature (LeaderSignPolicy).
    leader_sign_required = models.BooleanField(_("leader signs in person"), default=False)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    long_pending_plan = models.TextField(_("plan"), blank=True)  # 挂账: how and when it will be solved
    long_pending_until = models.DateField(_("expected date"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    rehandle_count = models.PositiveSmallIntegerField(_("re-handlings"), default=0)  # 重办
    # 重复件: callers whose calls were merged into this order count as further complainants.
    complainant_count = models.PositiveIntegerField(_("complainants"), default=1)
    # Bumped by every service that changes the order: a cheap "has it changed?" for clients.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            # The time-limit sweep (`sweepdeadlines`, every minute): only orders with a next step.
            models.Index(
                fields=["next_check_at"], name="work_order_next_check", condition=models.Q(next_check_at__isnull=False)
            ),
            # A unit's queue: its orders of one status by deadline, paged by the keyset (deadline, id).
            models.Index(fields=["unit", "status", "deadline", "id"], name="work_order_unit_queue"),
            # A unit's orders of every status, and every order (the center), in the same keyset order.
            models.Index(fields=["unit", "deadline", "id"], name="work_order_unit_deadline"),
            models.Index(fields=["deadline", "id"], name="work_order_deadline"),
            # A month's lead orders (scoring's process indicators and volumes).
            models.Index(fields=["dispatched_at"], name="work_order_main_dispatched", condition=models.Q(role="main")),
            # A month's assisting parts by their own deadline (the assessment's 协办 part).
            models.Index(fields=["deadline"], name="work_order_assist_deadline", condition=models.Q(role="assist")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def limit_label(self) -> str:
        from .deadlines import Limit

        return Limit(self.limit_amount, self.limit_unit).label()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- transitions: the rule each one enforces is its docstring -------------------------------

    @transition(field=status, source=[Status.DISPATCHED, Status.REOPENED], target=Status.SIGNED, permission=_signer)
    def sign(self):
        """签收: the unit acknowledges a newly dispatched or reopened order (its leader, where 亲自签办)."""

    @transition(field=status, source=Status.SIGNED, target=Status.IN_PROGRESS, permission=HANDLER)
    def start(self):
        """The unit starts handling an order it has signed for."""

    @transition(
        field=status,
        source=[Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS],
        target=Status.RETURNED,
        permission=HANDLER,
    )
    def return_to_dispatcher(self):
        """退单: a unit that is not responsible hands the order back before it replies."""

    @transition(field=status, source=Status.RETURNED, target=Status.SIGNED, permission=DISPATCHER)
    def reject_return(self):
        """The dispatcher finds the return unfounded: the unit keeps the order, the clock kept running."""

    @transition(
        field=status, source=[Status.RETURNED, Status.DISPATCHED], target=Status.TRANSFERRED, permission=DISPATCHER
    )
    def transfer(self):
        """改派: the dispatcher gives this part to another unit; this order ends here."""

    @transition(
        field=status, source=[Status.SIGNED, Status.IN_PROGRESS], target=Status.LONG_PENDING, permission=DISPATCHER
    )
    def declare_long_pending(self):
        """挂账: the hotline approved the unit's request (it cannot finish in time and commits to a plan
        and an expected date); the order waits for that date instead of its deadline."""

    @transition(field=status, source=Status.LONG_PENDING, target=Status.IN_PROGRESS, permission=_platform_only)
    def lapse_long_pending(self):
        """The expected date of a 挂账 passed without a reply: the order is handled (and escalated) again."""

    @transition(
        field=status,
        source=[Status.SIGNED, Status.IN_PROGRESS, Status.LONG_PENDING],
        target=Status.REPLIED,
        permission=HANDLER,
    )
    def reply(self):
        """办结反馈: the unit reports the result; it must have signed for the order first."""

    @transition(field=status, source=Status.REPLIED, target=Status.ACCEPTED, permission=REVIEWER, conditions=[is_lead])
    def accept_reply(self):
        """The hotline checked the reply and accepts it: the citizen is called back (回访)."""

    @transition(
        field=status, source=Status.REPLIED, target=Status.IN_PROGRESS, permission=REVIEWER, conditions=[is_lead]
    )
    def send_back(self):
        """The hotline finds the reply wanting: back to the unit; the deadline does not move."""

    @transition(
        field=status,
        source=[Status.REPLIED, Status.ACCEPTED, Status.CLOSED],
        target=Status.REOPENED,
        permission=REOPENER,
    )
    def reopen(self):
        """重办: a replied or closed order goes back to the same unit with a new deadline."""

    @transition(
        field=status,
        source=[
            Status.DISPATCHED,
            Status.SIGNED,
            Status.IN_PROGRESS,
            Status.LONG_PENDING,
            Status.RETURNED,
            Status.REOPENED,
            Status.REPLIED,
        ],
        target=Status.CLOSED,
        permission=CALLBACK,
    )
    def close_with_lead(self):
        """An assisting part (协办) ends when the lead order closes, whether or not it replied."""

    @transition(field=status, source=[Status.ACCEPTED, Status.REPLIED], target=Status.CLOSED, permission=CALLBACK)
    def close(self):
        """办结: the citizen evaluated the accepted reply, or could not be reached. An assisting
        unit's replied part closes with the lead order."""


class Merge(models.Model):
    """重复件: a repeated call joined an open work order as one more complainant, and nothing was dispatched
    for it. Dispatch keeps this record (intake records calls and knows nothing of orders); an order
    re-dispatched (改派) takes its merged calls along."""

    demand = models.OneToOneField(
        "intake.Demand", verbose_name=_("demand"), on_delete=models.PROTECT, related_name="merge"
    )
    order = models.ForeignKey(WorkOrder, verbose_name=_("merged into"), on_delete=models.PROTECT, related_name="merges")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("merged call (重复件)")
        verbose_name_plural = _("merged calls (重复件)")

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.order_id}"


class WorkOrderEvent(models.Model):
    """One thing that happened to a work order: the audit trail and the source of reports.
    `at` is when it happened (for the sweep: when the breach happened, not when it was noticed)."""

    # No index of its own: event_order_at (order, at) serves every lookup by order.
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["order", "at"], name="event_order_at"),
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class WorkOrderRound(models.Model):
    """A finished handling round (办理轮次) of a work order, kept when 重办 sends the order back to its
    unit for another round. The order's own columns always describe its current round; these rows
    are the earlier ones, written once and never changed, so that a round stays assessed in the
    month its deadline fell, whatever happens to the order later."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="rounds")
    round = models.PositiveSmallIntegerField()  # the order's rehandle_count during the round
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField()  # the round's start (the dispatch, or the reopening)
    deadline = models.DateTimeField()  # as extended by approved extensions (or a 挂账's expected date)
    signed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)  # the reply that stood when the round ended
    ended_at = models.DateTimeField()  # when the order was reopened
    extended = models.BooleanField(default=False)  # an extension was approved in the round
    returned = models.BooleanField(default=False)  # the unit returned it and the return was rejected
    long_pending = models.BooleanField(default=False)  # a 挂账 was approved in the round

    class Meta:
        ordering = ["order", "round"]
        constraints = [models.UniqueConstraint(fields=["order", "round"], name="work_order_round_unique")]
        # The month's assessment (scoremonth) reads the rounds that fell due in it.
        indexes = [models.Index(fields=["deadline"], name="work_order_round_deadline")]


class ExtensionRequest(models.Model):
    """延期: a unit asks, before the deadline, for more time; the hotline approves or rejects."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("extra days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    old_deadline = models.DateTimeField(null=True, blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"), name="one_pending_extension_per_order"
            )
        ]


class LongPendingRequest(models.Model):
    """挂账申请: a unit that cannot finish before the deadline asks, before it, to hold the order until an
    expected date, with its plan and what the citizen is told. The hotline approves or rejects; an
    approved one moves the order's deadline to the end of the expected date, and the sweep re-opens and
    escalates it when that passes without a reply."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="long_pending_requests")
    round = models.PositiveSmallIntegerField(default=0)
    plan = models.TextField(_("plan"))
    expected_date = models.DateField(_("expected date"))
    message = models.TextField(_("message to the citizen"))
    status = models.CharField(max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # The deadline the approval replaced: the response part of the order falls due then.
    old_deadline = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"), name="one_pending_long_pending_per_order"
            )
        ]
        # The month's assessment (scoremonth) reads the approved ones whose old deadline fell in it.
        indexes = [
            models.Index(
                fields=["old_deadline"], name="long_pending_approved_due", condition=models.Q(status="approved")
            )
        ]


class Return(models.Model):
    """退单: who returned which order, why (with the evidence when the catalogue names the unit), and how
    the dispatcher ruled. Counted per unit (退单率). 首接负责: the first receiver keeps the order unless it
    returns it within its window; a second return after a rejected one waits for a supervisor."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="returns")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(_("reason"), max_length=24, choices=ReturnReason.choices)
    note = models.TextField(_("details"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)  # a duty list, a document: that the matter is not ours
    approval = models.CharField(max_length=12, choices=ReturnApproval.choices, blank=True, default="")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField()
    ruling = models.CharField(max_length=16, blank=True)  # "redispatched" / "rejected"
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-returned_at"]


class Reminder(models.Model):
    """提醒: the yellow-light reminder to the unit's handlers and leader. Once per order and deadline."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["order", "deadline"], name="one_reminder_per_deadline")]


class UrgeNotice(models.Model):
    """催办单: a formal reminder issued when the deadline passed without a reply. The unit must
    acknowledge it. Once per order and deadline."""

    number = models.CharField(max_length=40, unique=True)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="urge_notices")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="urge_notices")
    deadline = models.DateTimeField()
    issued_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["order", "deadline"], name="one_urge_per_deadline")]


def _is_unit_leader(supervision, user) -> bool:
    """签办: the leader of the unit holding the order (or of a unit above it) signs in person."""
    return may(user, "dispatch.sign_supervision", supervision)


class SupervisionOrder(models.Model):
    """督办单: manual supervision (人工督办) of an order still unanswered after its 催办单, with its own due
    date. Once per order and deadline. Its graph (django-fsm): the unit's leader signs it (签办, a named
    person), the unit answers with the measures taken, a supervisor verifies and closes it or issues it
    again with a reason. Past its due date unanswered it goes on the 通报 list and up one level (the sweep
    watches `next_check_at`, once per due date)."""

    number = models.CharField(max_length=40, unique=True)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="supervision_orders")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="supervision_orders")
    order_deadline = models.DateTimeField()
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = FSMField(max_length=12, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("measures taken"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_note = models.TextField(blank=True)
    reissue_count = models.PositiveSmallIntegerField(default=0)
    # 通报: when it passed its due date unanswered, and the unit it was escalated to.
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_supervisions"
    )
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["order", "order_deadline"], name="one_supervision_per_deadline")]
        indexes = [
            # The sweep (`sweepdeadlines`): 督办单 whose own due date is still to be watched.
            models.Index(
                fields=["next_check_at"],
                name="supervision_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status, source=SupervisionStatus.OPEN, target=SupervisionStatus.SIGNED, permission=_is_unit_leader
    )
    def sign(self):
        """签办: the unit's leader signs the 督办单 in person."""

    @transition(field=status, source=SupervisionStatus.SIGNED, target=SupervisionStatus.ANSWERED, permission=HANDLER)
    def answer(self):
        """The unit answers with the measures it took (after its leader signed)."""

    @transition(
        field=status,
        source=SupervisionStatus.ANSWERED,
        target=SupervisionStatus.CLOSED,
        permission="dispatch.verify_supervision",
    )
    def verify(self):
        """A supervisor verified the measures: the 督办单 is closed."""

    @transition(
        field=status,
        source=SupervisionStatus.ANSWERED,
        target=SupervisionStatus.OPEN,
        permission="dispatch.verify_supervision",
    )
    def reissue(self):
        """The measures do not answer it: issued again, with the supervisor's reason and a new due date."""


class Whistle(models.Model):
    """吹哨报到 (the second seed, §三(三)): the lead unit's handler "blows the whistle" on an order it cannot
    solve alone, naming the departments it needs and why; the district above it (or a dispatcher) confirms,
    and each called department gets an assisting order (协办) with 报到 limits — sign within hours, be on
    site within a day — or declines with a reason. The called units are its `calls`; what was agreed on
    site, its `joint_records`."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="whistles")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")  # the lead unit
    reason = models.TextField(_("reason"))
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    blown_at = models.DateTimeField(_("blown at"))
    status = FSMField(_("status"), max_length=12, choices=WhistleStatus.choices, default=WhistleStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-blown_at", "-id"]
        verbose_name = _("whistle (吹哨报到)")
        verbose_name_plural = _("whistles (吹哨报到)")
        constraints = [
            # One whistle at a time waits for confirmation on an order (a second click is not a second one).
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"), name="one_pending_whistle_per_order"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status,
        source=WhistleStatus.PENDING,
        target=WhistleStatus.CONFIRMED,
        permission="dispatch.confirm_whistle",
    )
    def confirm(self):
        """The district above the lead unit (or a dispatcher) confirms: the departments are called in."""

    @transition(
        field=status, source=WhistleStatus.PENDING, target=WhistleStatus.DECLINED, permission="dispatch.confirm_whistle"
    )
    def decline(self):
        """... or declines, with the reason the lead unit reads."""


class WhistleCall(models.Model):
    """One called unit of a whistle (报到): named when the whistle is blown; on confirmation it gets its
    assisting order and two limits — sign for it by `sign_due_at`, be on site by `on_site_due_at` — that the
    time-limit sweep watches once each (`next_check_at`), telling the district and the lead unit when one
    passes. Feeds the assisting unit's process indicators (协办 accountability)."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="whistle_call"
    )
    sign_due_at = models.DateTimeField(_("sign by"), null=True, blank=True)
    on_site_due_at = models.DateTimeField(_("on site by"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrival_note = models.TextField(_("note"), blank=True)
    sign_late_at = models.DateTimeField(null=True, blank=True)  # the sign limit it missed, once the sweep looked
    arrival_late_at = models.DateTimeField(null=True, blank=True)  # ... the on-site limit it missed
    # The limit the sweep watches next: 0 the sign limit, 1 the on-site limit, 2 none (at `next_check_at`).
    check_stage = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="one_call_per_unit_and_whistle")]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="whistle_call_next_check",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.whistle.number} → {self.unit}"


class JointHandling(models.Model):
    """联合处置记录: a meeting of the lead unit and the departments called in — when, who came, what was
    agreed — recorded by the lead unit."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="joint_records")
    met_at = models.DateTimeField(_("met at"))
    attendees = models.TextField(_("who came"))
    agreed = models.TextField(_("what was agreed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["met_at", "id"]


def order_upload_to(instance, filename: str) -> str:
    from hotline.core.uploads import random_name

    return random_name(f"orders/{instance.uploaded_at:%Y-%m}", filename)


class OrderAttachment(StoredFile):
    """A photo or file a unit adds to its reply or a progress note (现场照片, 处置材料): kept under a random
    name, photos shrunk and stripped of their metadata, served only to those who may see the order."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        WorkOrderEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=order_upload_to, max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(StoredFile.Meta):
        verbose_name = _("order attachment")
        verbose_name_plural = _("order attachments")


class CalendarApplication(models.Model):
    """节假日安排, applied: an administrator's request to load a year's notice and move the open deadlines it
    changes, run by a worker a batch at a time (tens of thousands of orders open across a new year), with
    its progress for the calendar page. One at a time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Moving deadlines")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("notice"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    days_changed = models.PositiveIntegerField(_("days changed"), default=0)
    total = models.PositiveIntegerField(_("deadlines to move"), default=0)
    moved = models.PositiveIntegerField(_("deadlines moved"), default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A running application's sign of life (each batch written): one without it for a while was lost.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("calendar application")
        verbose_name_plural = _("calendar applications")
        constraints = [
            # One at a time, queued or running alike (one index key for both): two would move the same
            # deadlines from two calendars.
            models.UniqueConstraint(
                models.Value(True),
                condition=models.Q(status__in=["queued", "running"]),
                name="one_calendar_application_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (int(100 * self.moved / self.total) if self.total else 0)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stalled(self) -> bool:
        """Running, and no batch written for a while: the worker was lost (applying again finishes it)."""
        import datetime as dt

        from django.utils import timezone

        return (
            self.status == self.Status.RUNNING
            and self.heartbeat_at is not None
            and self.heartbeat_at < timezone.now() - dt.timedelta(minutes=10)
        )
