from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Work-order states (工单状态). The graph itself lives on WorkOrder's transitions."""

    DISPATCHED = "dispatched", _("Dispatched")  # 已派单, awaiting 签收
    SIGNED = "signed", _("Signed for")  # 已签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    LONG_PENDING = "long_pending", _("Long-pending")  # 挂账
    REPLIED = "replied", _("Replied")  # 已办结反馈, awaiting the hotline's check
    ACCEPTED = "accepted", _("Reply accepted, awaiting callback")  # 待回访
    RETURNED = "returned", _("Returned to dispatcher")  # 已退单
    REOPENED = "reopened", _("Reopened")  # 重办
    TRANSFERRED = "transferred", _("Re-dispatched elsewhere")  # 已改派 (terminal for this unit)
    CLOSED = "closed", _("Closed")  # 已办结


# States in which the unit still owes a reply: the deadline runs and the sweep watches them.
OPEN_STATUSES = (Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.REOPENED)
# The unit has replied: the reply counts (it may still be sent back before acceptance).
REPLIED_STATUSES = (Status.REPLIED, Status.ACCEPTED, Status.CLOSED)
# Not replied yet: a repeated call can be merged into these (重复件).
UNREPLIED_STATUSES = (*OPEN_STATUSES, Status.RETURNED, Status.LONG_PENDING)

STATUS_COLOURS = {
    Status.DISPATCHED: "primary",
    Status.SIGNED: "info",
    Status.IN_PROGRESS: "info",
    Status.LONG_PENDING: "secondary",
    Status.REPLIED: "success",
    Status.ACCEPTED: "success",
    Status.RETURNED: "warning",
    Status.REOPENED: "danger",
    Status.TRANSFERRED: "light",
    Status.CLOSED: "dark",
}


class Role(models.TextChoices):
    """A unit's part in a demand."""

    MAIN = "main", _("Lead unit")  # 主办
    ASSIST = "assist", _("Assisting unit")  # 协办


class Complexity(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")  # 一般
    COMPLEX = "complex", _("Complex")  # 复杂 (15 days, chosen by the dispatcher)


class Light(models.TextChoices):
    """Traffic light (亮灯), derived at read time from one `now`."""

    GREEN = "green", _("In time")
    YELLOW = "yellow", _("Warning")
    RED = "red", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    NONE = "none", _("—")


LIGHT_COLOURS = {
    Light.GREEN: "success",
    Light.YELLOW: "warning",
    Light.RED: "danger",
    Light.OVERDUE: "dark",
    Light.NONE: "light",
}


class Stage(models.IntegerChoices):
    """How far the time-limit sweep has gone for the current deadline."""

    NONE = 0, _("Nothing yet")
    REMINDED = 1, _("Red light: 督办 by the system, the unit's leader told")  # 第五天系统自动督办
    URGED = 2, _("催办单 issued")
    SUPERVISED = 3, _("督办单 issued")


class EventKind(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    STARTED = "started", _("Handling started")
    RETURNED = "returned", _("Returned")
    RETURN_REJECTED = "return_rejected", _("Return rejected")
    RETURN_REQUESTED = "return_requested", _("Second return asked: waits for a supervisor")
    RETURN_REFUSED = "return_refused", _("Second return refused by a supervisor")
    REDISPATCHED = "redispatched", _("Re-dispatched")
    REPLIED = "replied", _("Replied")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REJECTED = "extension_rejected", _("Extension rejected")
    LONG_PENDING_REQUESTED = "long_pending_requested", _("Long-pending (挂账) requested")
    LONG_PENDING = "long_pending", _("Long-pending (挂账) approved")
    LONG_PENDING_REJECTED = "long_pending_rejected", _("Long-pending (挂账) rejected")
    LONG_PENDING_LAPSED = "long_pending_lapsed", _("Long-pending (挂账) lapsed: expected date passed")
    PROGRESS = "progress", _("Progress note")
    REOPENED = "reopened", _("Reopened")
    REMINDED = "reminded", _("Red light: 督办 by the system (第五天)")
    URGED = "urged", _("催办单 issued")
    URGE_ACKNOWLEDGED = "urge_acknowledged", _("催办单 acknowledged")
    SUPERVISED = "supervised", _("督办单 issued")
    SUPERVISION_SIGNED = "supervision_signed", _("督办单 signed by the unit's leader")
    SUPERVISION_ANSWERED = "supervision_answered", _("督办单 answered")
    SUPERVISION_CLOSED = "supervision_closed", _("督办单 verified and closed")
    SUPERVISION_REISSUED = "supervision_reissued", _("督办单 issued again")
    SUPERVISION_OVERDUE = "supervision_overdue", _("督办单 overdue (通报): escalated")
    MERGED = "merged", _("Repeated call merged (重复件)")
    REPLY_ACCEPTED = "reply_accepted", _("Reply accepted by the hotline")
    SENT_BACK = "sent_back", _("Reply sent back")
    CALLBACK_ATTEMPT = "callback_attempt", _("Callback: citizen not reached")
    EVALUATED = "evaluated", _("Citizen's evaluation recorded")
    CONTRADICTION = "contradiction", _("反馈不实: the citizen contradicts the unit's reply")
    UNREACHABLE = "unreachable", _("Citizen unreachable")
    CLOSED = "closed", _("Closed")
    SELF_EVALUATION_LINK = "evaluation_link", _("Evaluation link sent to the citizen")
    WHISTLE_BLOWN = "whistle_blown", _("吹哨: departments asked for")
    WHISTLE_CONFIRMED = "whistle_confirmed", _("吹哨 confirmed: departments called in")
    WHISTLE_DECLINED = "whistle_declined", _("吹哨 declined")
    ON_SITE = "on_site", _("报到: on site")
    REPORT_LATE = "report_late", _("报到 late")
    JOINT_HANDLING = "joint_handling", _("Joint handling recorded (联合处置)")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved by the new holiday calendar")


class ReturnReason(models.TextChoices):
    """退单原因."""

    NOT_OUR_DUTY = "not_our_duty", _("Not within our duties")  # 非本单位职责
    NOT_OUR_TERRITORY = "not_our_territory", _("Not in our territory")  # 不属本辖区
    INCOMPLETE = "incomplete", _("Information incomplete, cannot handle")  # 信息不全
    DUPLICATE = "duplicate", _("Duplicate dispatch")  # 重复派单
    IMPOSSIBLE = "impossible", _("Objectively impossible to handle")  # 客观无法处理
    OTHER = "other", _("Other")


class ReturnApproval(models.TextChoices):
    """首接负责: a second return of an order after one was rejected needs a supervisor's approval."""

    NOT_NEEDED = "", _("Not needed")
    PENDING = "pending", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved by a supervisor")
    REFUSED = "refused", _("Refused by a supervisor")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TargetKind(models.TextChoices):
    """Whom a dispatch-catalogue rule names."""

    UNIT = "unit", _("A fixed unit")  # a city department, an enterprise, …
    STREET = "street", _("The street/township of the address")
    DISTRICT = "district", _("The district of the address")
    DISTRICT_DEPARTMENT = "district_department", _("A department of the address's district")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    NATURAL_DAYS = "natural_days", _("natural days")  # 自然日
    WORKING_DAYS = "working_days", _("working days")  # 工作日


class SupervisionStatus(models.TextChoices):
    """督办单: issued by the sweep → signed by the unit's leader (签办) → answered with the measures → closed
    by a supervisor who verified them, or issued again."""

    OPEN = "open", _("Issued, to sign")  # 待签办
    SIGNED = "signed", _("Signed, to answer")  # 已签办
    ANSWERED = "answered", _("Answered, to verify")  # 已答复, 待核实
    CLOSED = "closed", _("Verified and closed")  # 已办结


# A 督办单 not yet answered: its own due date runs (the sweep watches it).
SUPERVISION_RUNNING = (SupervisionStatus.OPEN, SupervisionStatus.SIGNED)
SUPERVISION_COLOURS = {
    SupervisionStatus.OPEN: "danger",
    SupervisionStatus.SIGNED: "warning",
    SupervisionStatus.ANSWERED: "info",
    SupervisionStatus.CLOSED: "secondary",
}


class WhistleStatus(models.TextChoices):
    """吹哨报到: the lead unit blows the whistle → the district (or a dispatcher) confirms it, and the called
    departments get their assisting orders with 报到 limits, or declines it with a reason."""

    PENDING = "pending", _("Waiting for confirmation")  # 待确认
    CONFIRMED = "confirmed", _("Confirmed: departments called in")  # 已确认, 部门报到
    DECLINED = "declined", _("Declined")  # 未予确认


WHISTLE_COLOURS = {
    WhistleStatus.PENDING: "warning",
    WhistleStatus.CONFIRMED: "success",
    WhistleStatus.DECLINED: "secondary",
}
# The levels whose units can be called in (部门报到): departments and public-service enterprises.
WHISTLE_CALLABLE_LEVELS = ("department", "enterprise", "district_department")
