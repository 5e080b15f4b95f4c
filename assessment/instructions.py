"""领导批示 that travel and close (压力感知: 领导能力, 执行督办; the second seed's 层级互动).

A leader writes a 批示 on an order, a ranking row or a report item; it goes to a unit with a due date. The
addressed unit's leader (a district's) or a 督查 supervisor relays it down to the unit that will act, as a
hop of its own with its own due date (never later than the hop above) and its own answer; the answer flows
back to whoever issued the hop, who closes it or returns it with a comment and a new due date. A hop past
its due date unanswered escalates once per due date (`instructions_overdue`, from beat) and is listed in
the daily report. Every step is a row (InstructionStep) and a notification, in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import WorkOrder
from dispatch.services import escalation_unit, supervisors_over
from hotline.core.access import may
from hotline.core.choices import NotificationKind
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Unit, User
from hotline.core.notify import notify
from hotline.core.selectors import unit_people
from hotline.core.workdays import WorkCalendar, add_working_days

from .models import Instruction, InstructionStep, SnapshotUnit

INSTRUCTION_DAYS = 5  # a new 批示's due date, in working days
RETURN_DAYS = 2  # a returned answer's new due date
Step = InstructionStep.Kind


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def _url(instruction: Instruction) -> str:
    return f"/assessment/instructions/{instruction.pk}/"


def _step(instruction: Instruction, kind: str, *, by: User | None, at: dt.datetime, note: str = "", **data) -> None:
    InstructionStep.objects.create(instruction=instruction, kind=kind, by=by, at=at, note=note, data=data)


def _tell_the_unit(instruction: Instruction, at: dt.datetime, key: str) -> None:
    notify(
        users=unit_people([instruction.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
        kind=NotificationKind.INSTRUCTION,
        data={"leader": str(instruction.leader), "due": _day(instruction.due_at), "text": instruction.text[:200]},
        key=key,
        url=_url(instruction),
        at=at,
    )


def instruction_issue(
    *,
    leader,
    text: str,
    order: WorkOrder | None = None,
    ranking: SnapshotUnit | None = None,
    report_row=None,
    report=None,
    section: str = "",
    unit: Unit | None = None,
    due_working_days: int = INSTRUCTION_DAYS,
    at: dt.datetime | None = None,
) -> Instruction:
    """A leader's 批示 on an order, a ranking row, a report item or a report section (addressed to a unit
    the leader chooses) becomes a supervision task for the unit concerned."""
    if not may(leader, "assessment.write_instruction"):
        raise Forbidden(_("Only a leader writes 批示."))
    if not text.strip():
        raise InvalidInput(_("Write the instruction."), code="text_required")
    if sum(target is not None for target in (order, ranking, report_row, report)) != 1:
        raise InvalidInput(_("A 批示 is on one order, one ranking row or one report item."), code="target_required")
    if report_row is not None:
        report, section, order, unit = report_row.report, report_row.section, report_row.order, report_row.unit
        if unit is None:
            raise InvalidInput(_("This item has no unit to answer a 批示."), code="no_unit")
    elif report is not None:
        if not section or unit is None:
            raise InvalidInput(_("Choose the unit this 批示 goes to."), code="unit_required")
    else:
        unit = order.unit if order is not None else ranking.unit
    if ranking is not None and ranking.snapshot.is_preview:
        # A preview is replaced every night (and its rows with it): 批示 go on a frozen month's row.
        raise InvalidInput(
            _("A preview changes every night: write the 批示 on the frozen month, or on an order."), code="preview_row"
        )
    if leader.unit_id and not unit.is_within(leader.unit):
        raise Forbidden(_("That unit is outside your area."), code="outside_scope")
    at = at or timezone.now()
    due = add_working_days(at, due_working_days, WorkCalendar.load())
    with transaction.atomic():
        instruction = Instruction.objects.create(
            leader=leader,
            unit=unit,
            order=order,
            ranking=ranking,
            report=report,
            report_section=section,
            report_row=report_row,
            text=text.strip(),
            issued_at=at,
            due_at=due,
            next_check_at=due,
        )
        _step(instruction, Step.ISSUED, by=leader, at=at, note=instruction.text, due=due.isoformat())
        _tell_the_unit(instruction, at, key=f"instruction:{instruction.pk}")
    return instruction


def _locked(instruction: Instruction) -> Instruction:
    return (
        Instruction.objects.select_for_update(of=("self",))
        .select_related("unit", "leader", "parent")
        .get(pk=instruction.pk)
    )


def instruction_relay(
    *,
    instruction: Instruction,
    by: User,
    unit: Unit,
    text: str = "",
    due_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> Instruction:
    """The addressed unit's leader (or a 督查 supervisor) relays the 批示 to a unit below it, with its own due
    date: by default a day before the hop above is due (the hop above's own due date when less time is
    left), and never after it. The hop above waits for its own answer, which its unit gives once the relay came back."""
    if not may(by, "assessment.relay_instruction", instruction):
        raise Forbidden(
            _("Only the leader of %(unit)s, or a 督查 supervisor over it, relays this 批示.")
            % {"unit": instruction.unit.name}
        )
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(instruction)
        if locked.status != Instruction.Status.OPEN:
            raise StateConflict(
                _("This 批示 is “%(status)s”: only one waiting for its answer is relayed.")
                % {"status": locked.get_status_display()}
            )
        if unit.pk == locked.unit_id or not unit.is_within(locked.unit):
            raise InvalidInput(
                _("A 批示 to %(unit)s is relayed to a unit below it.") % {"unit": locked.unit.name},
                code="invalid_unit",
            )
        if locked.relays.filter(unit=unit).exclude(status=Instruction.Status.CLOSED).exists():
            raise StateConflict(
                _("This 批示 was already relayed to %(unit)s.") % {"unit": unit.name}, code="already_relayed"
            )
        if due_at is None:  # a day before the hop above, to put the answer together; less when time is short
            due_at = locked.due_at - dt.timedelta(days=1)
            if due_at <= at + dt.timedelta(hours=1):
                due_at = locked.due_at
        if due_at > locked.due_at:
            raise InvalidInput(
                _("The relay is due by %(due)s at the latest: the 批示 above it is.") % {"due": _day(locked.due_at)},
                code="due_after_parent",
            )
        if due_at <= at:
            raise InvalidInput(_("The due date must lie ahead."), code="due_in_past")
        hop = Instruction.objects.create(
            parent=locked,
            leader=by,
            unit=unit,
            order=locked.order,
            ranking=locked.ranking,
            report=locked.report,
            report_section=locked.report_section,
            report_row=locked.report_row,
            text=(text or "").strip() or locked.text,
            issued_at=at,
            due_at=due_at,
            next_check_at=due_at,
        )
        _step(locked, Step.RELAYED, by=by, at=at, note=hop.text, unit=unit.code, relay=hop.pk)
        _step(hop, Step.ISSUED, by=by, at=at, note=hop.text, due=due_at.isoformat())
        _tell_the_unit(hop, at, key=f"instruction:{hop.pk}")
    return hop


def instruction_respond(*, instruction: Instruction, by: User, response: str, at: dt.datetime | None = None):
    """The unit answers its hop; whoever issued the hop is told and closes it or returns it."""
    if not may(by, "assessment.answer_instruction", instruction):
        raise Forbidden(_("Only the unit concerned answers this 批示."))
    if not response.strip():
        raise InvalidInput(_("Write the answer."), code="response_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(instruction)
        if locked.status != Instruction.Status.OPEN:
            raise StateConflict(
                _("This 批示 is “%(status)s”: it was already answered.") % {"status": locked.get_status_display()},
                code="already_answered",
            )
        locked.status = Instruction.Status.ANSWERED
        locked.response, locked.responded_by, locked.responded_at = response.strip(), by, at
        locked.next_check_at = None
        locked.save()
        _step(locked, Step.ANSWERED, by=by, at=at, note=locked.response)
        notify(
            users=[locked.leader_id],
            kind=NotificationKind.INSTRUCTION_ANSWERED,
            data={"unit": locked.unit.name, "text": locked.response[:200]},
            key=f"instruction_answered:{locked.pk}:{locked.return_count}",
            url=_url(locked),
            at=at,
        )
    return locked


def instruction_return(
    *, instruction: Instruction, by: User, comment: str, due_working_days: int = RETURN_DAYS, at=None
) -> Instruction:
    """Whoever issued the hop returns the answer with a comment: the unit answers again by a new due date
    (not later than the hop above, if any)."""
    if not may(by, "assessment.close_instruction", instruction):
        raise Forbidden(_("Only whoever issued this 批示 returns its answer."))
    if not comment.strip():
        raise InvalidInput(_("Say what the answer lacks: the unit reads it."), code="comment_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(instruction)
        if locked.status != Instruction.Status.ANSWERED:
            raise StateConflict(
                _("This 批示 is “%(status)s”: only an answer is returned.") % {"status": locked.get_status_display()}
            )
        due = add_working_days(at, due_working_days, WorkCalendar.load())
        if locked.parent_id is not None and locked.parent.status == Instruction.Status.OPEN:
            due = min(due, max(locked.parent.due_at, at + dt.timedelta(hours=1)))
        locked.status = Instruction.Status.OPEN
        locked.return_count += 1
        locked.return_comment = comment.strip()
        locked.due_at = locked.next_check_at = due
        locked.save()
        _step(locked, Step.RETURNED, by=by, at=at, note=locked.return_comment, due=due.isoformat())
        notify(
            users=unit_people([locked.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
            kind=NotificationKind.INSTRUCTION_RETURNED,
            data={"leader": str(by), "due": _day(due), "comment": locked.return_comment[:200]},
            key=f"instruction_returned:{locked.pk}:{locked.return_count}",
            url=_url(locked),
            at=at,
        )
    return locked


def instruction_close(*, instruction: Instruction, by: User, note: str = "", at=None) -> Instruction:
    """Whoever issued the hop closes it once answered; the hops relayed below it close with it."""
    if not may(by, "assessment.close_instruction", instruction):
        raise Forbidden(_("Only whoever issued this 批示 closes it."))
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(instruction)
        if locked.status != Instruction.Status.ANSWERED:
            raise StateConflict(
                _("This 批示 is “%(status)s”: it is closed once answered.") % {"status": locked.get_status_display()}
            )
        for hop in [locked, *_below(locked)]:
            if hop.status == Instruction.Status.CLOSED:
                continue
            hop.status, hop.closed_by, hop.closed_at, hop.next_check_at = Instruction.Status.CLOSED, by, at, None
            hop.save(update_fields=["status", "closed_by", "closed_at", "next_check_at"])
            _step(hop, Step.CLOSED, by=by, at=at, note=note.strip())
    return locked


def _below(instruction: Instruction) -> list[Instruction]:
    found, frontier = [], [instruction.pk]
    while frontier:
        hops = list(Instruction.objects.select_for_update().filter(parent_id__in=frontier))
        found += hops
        frontier = [h.pk for h in hops]
    return found


def instruction_overdue(*, instruction: Instruction, now: dt.datetime) -> bool:
    """The sweep: a hop past its due date unanswered escalates once per due date — to the unit above the one
    addressed (and the supervisors over it), and whoever issued it is told. Claimed by compare-and-swap on
    `next_check_at`; stamped with its due date."""
    with transaction.atomic():
        claimed = Instruction.objects.filter(
            pk=instruction.pk,
            next_check_at=instruction.next_check_at,
            next_check_at__lte=now,
            status=Instruction.Status.OPEN,
        )
        locked = Instruction.objects.select_related("unit", "leader").get(pk=instruction.pk)
        target = escalation_unit(locked.unit)
        if not claimed.update(next_check_at=None, overdue_at=locked.due_at, escalated_to=target):
            return False
        _step(locked, Step.OVERDUE, by=None, at=locked.due_at, note=target.name, escalated_to=target.code)
        notify(
            users=[
                locked.leader_id,
                *unit_people([target.pk], [UserRole.UNIT_LEADER]),
                *supervisors_over(locked.unit),
            ],
            kind=NotificationKind.INSTRUCTION_OVERDUE,
            data={"unit": locked.unit.name, "due": _day(locked.due_at), "text": locked.text[:120]},
            key=f"instruction_overdue:{locked.pk}:{locked.due_at.isoformat()}",
            url=_url(locked),
            at=locked.due_at,
        )
    return True


def instructions_overdue(now: dt.datetime | None = None) -> int:
    """Every hop whose due date has passed unanswered (the partial index instruction_next_check), each once."""
    now = now or timezone.now()
    due = Instruction.objects.filter(next_check_at__lte=now, status=Instruction.Status.OPEN).order_by("next_check_at")
    return sum(instruction_overdue(instruction=i, now=now) for i in list(due[:10_000]))
