"""Consequences after the ranking (the second seed: "考评过程止步于公布考评结果和排名，考评后的精准反馈、整改落实
……相对落实不到位"). Right after a month is frozen, once per month (idempotent, caught up like the freeze):

- 整改: each unit in the 整改类 tier or the last 10 of its level (never one in the top tier) owes a
  rectification plan (整改方案) within HOTLINE_RECTIFY_PLAN_DAYS working days of being told; the district
  over it reviews it (a unit without one: the city's supervisors); a unit still on the list the next month
  owes a progress report instead, until it leaves the list.
- 督导: each 治理类 street (the most demands) gets a city department to help it, with a plan and visits,
  from the month it entered the top 10 until the month it left it.
- 约谈 / 通报: a unit on the list HOTLINE_REFERRAL_MONTHS months in a row is referred (约谈 the first time,
  通报 when it stays on), with an evidence pack a supervisor exports as PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import SupervisionOrder, WorkOrder
from hotline.core.access import may
from hotline.core.choices import NotificationKind, UnitLevel
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Unit, User
from hotline.core.notify import notify
from hotline.core.selectors import unit_people
from hotline.core.workdays import WorkCalendar, add_working_days

from .models import Guidance, GuidanceVisit, Rectification, Referral, Snapshot, SnapshotUnit, Tier
from .scoring import _take, final_snapshot, month_bounds, previous_month

ON_THE_LIST = (Rectification.Status.OWED, Rectification.Status.RETURNED)


@dataclass
class Consequences:
    period: dt.date
    rectifications: list[Rectification] = field(default_factory=list)  # created by this run
    guidance: list[Guidance] = field(default_factory=list)
    ended: int = 0  # guidance ended (the street left the top 10)
    referrals: list[Referral] = field(default_factory=list)
    withdrawn: int = 0  # rectifications and referrals a revision of the ranking withdrew


def on_the_list(snapshot: Snapshot) -> dict[int, SnapshotUnit]:
    """The units that owe a rectification for the month: the 整改类 tier, and the last 10 ranked units of each
    level (ties at the edge together) that are not in its top tier."""
    rows = list(snapshot.units.all())
    listed = {r.unit_id: r for r in rows if r.tier == Tier.RECTIFY}
    by_level: dict[str, list[SnapshotUnit]] = {}
    for row in rows:
        if row.rank is not None and row.tier != Tier.ADVANCED:
            by_level.setdefault(row.level, []).append(row)
    size = snapshot.scheme.tier_size
    for level_rows in by_level.values():
        bottom = sorted(level_rows, key=lambda r: (-r.rank, r.unit_id))
        for row in _take(bottom, size, lambda r: r.score):
            listed.setdefault(row.unit_id, row)
    return listed


def _reviewer(unit: Unit) -> Unit | None:
    """Who reviews a unit's plan: the district over it; none (the city's supervisors) for a unit without one."""
    district = unit.district
    return district if district is not None and district.pk != unit.pk else None


@transaction.atomic
def consequences_apply(snapshot: Snapshot) -> Consequences:
    """The month's consequences, once: every write is keyed on (unit, month) or the street's open guidance,
    so a second run creates nothing twice. Only the city's frozen ranking has consequences."""
    result = Consequences(period=snapshot.period)
    if snapshot.is_preview or snapshot.district_id is not None:
        return result
    Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()  # one run at a time per month
    period, now = snapshot.period, timezone.now()
    # Due N working days after the unit is told (right after the freeze; a month caught up late gives the
    # unit its full N days, not a due date already past).
    due = add_working_days(now, settings.HOTLINE_RECTIFY_PLAN_DAYS, WorkCalendar.load())
    listed = on_the_list(snapshot)
    units = Unit.objects.in_bulk(listed)
    before = final_snapshot(previous_month(period))
    earlier = (
        {
            r.unit_id: r
            for r in Rectification.objects.filter(period=before.period, unit_id__in=listed).exclude(
                status=Rectification.Status.WITHDRAWN
            )
        }
        if before
        else {}
    )
    for unit_id, row in sorted(listed.items()):
        unit = units[unit_id]
        previous = earlier.get(unit_id)
        rectification, created = Rectification.objects.get_or_create(
            unit=unit,
            period=period,
            defaults={
                "snapshot": snapshot,
                "kind": Rectification.Kind.PROGRESS if previous else Rectification.Kind.PLAN,
                "previous": previous,
                "tier": row.tier,
                "rank": row.rank,
                "last_ten": row.tier != Tier.RECTIFY or row.rank is not None,
                "due_at": due,
                "reviewer_unit": _reviewer(unit),
                "created_at": now,
            },
        )
        if not created and rectification.status == Rectification.Status.WITHDRAWN:
            # Withdrawn by an earlier revision, listed again by this one: owed again, with its full time.
            rectification.status, rectification.withdrawn_at, rectification.escalated_at = (
                Rectification.Status.OWED,
                None,
                None,
            )
            rectification.snapshot, rectification.tier, rectification.rank, rectification.due_at = (
                snapshot,
                row.tier,
                row.rank,
                due,
            )
            rectification.last_ten = row.tier != Tier.RECTIFY or row.rank is not None
            rectification.kind = Rectification.Kind.PROGRESS if previous else Rectification.Kind.PLAN
            rectification.previous = previous
            rectification.save(
                update_fields=[
                    "status",
                    "withdrawn_at",
                    "escalated_at",
                    "snapshot",
                    "tier",
                    "rank",
                    "due_at",
                    "last_ten",
                    "kind",
                    "previous",
                ]
            )
            created, reinstated = True, now
        else:
            reinstated = None
        if created:
            result.rectifications.append(rectification)
            notify(
                users=unit_people([unit.pk], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
                kind=NotificationKind.RECTIFICATION,
                data={
                    "period": f"{period:%Y-%m}",
                    "what": str(rectification.get_kind_display()),
                    "due": timezone.localtime(due).strftime("%Y-%m-%d"),
                },
                key=f"rectification:{rectification.pk}" + (f":again:{reinstated.isoformat()}" if reinstated else ""),
                url=f"/assessment/rectifications/{rectification.pk}/",
                at=now,
            )
    _withdraw_unlisted(snapshot, listed, result, now)
    _guidance(snapshot, result, now)
    _referrals(snapshot, listed, units, result, now)
    return result


def _withdraw_unlisted(snapshot: Snapshot, listed: dict, result: Consequences, now: dt.datetime) -> None:
    """A revision of the month (appeals, exemptions) that no longer lists a unit withdraws what it owed: a
    rectification not yet approved. The unit is told; what it wrote stays on the record."""
    stale = (
        Rectification.objects.filter(period=snapshot.period)
        .exclude(unit_id__in=listed)
        .exclude(status__in=[Rectification.Status.APPROVED, Rectification.Status.WITHDRAWN])
        .select_related("unit")
    )
    for rectification in stale:
        rectification.status, rectification.withdrawn_at = Rectification.Status.WITHDRAWN, now
        rectification.save(update_fields=["status", "withdrawn_at"])
        result.withdrawn += 1
        notify(
            users=unit_people([rectification.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
            kind=NotificationKind.RECTIFICATION_WITHDRAWN,
            data={"period": f"{snapshot.period:%Y-%m}", "unit": rectification.unit.name},
            key=f"rectification-withdrawn:{rectification.pk}:{snapshot.pk}",
            url=f"/assessment/rectifications/{rectification.pk}/",
            at=now,
        )


def _guidance(snapshot: Snapshot, result: Consequences, now: dt.datetime) -> None:
    period = snapshot.period
    governance = set(
        snapshot.units.filter(level=UnitLevel.STREET, tier=Tier.GOVERNANCE).values_list("unit_id", flat=True)
    )
    # A street that left the top 10 this month: its guidance ends (a month caught up later ends it as then).
    for guidance in Guidance.objects.filter(ended__isnull=True, started__lt=period).exclude(street_id__in=governance):
        guidance.ended = period
        guidance.save(update_fields=["ended"])
        result.ended += 1
    helped = set(Guidance.objects.filter(ended__isnull=True).values_list("street_id", flat=True))
    start, end = month_bounds(period)
    for street in Unit.objects.filter(pk__in=governance - helped).order_by("code"):
        department = helping_department(street, start, end)
        if department is None:
            continue
        guidance = Guidance.objects.create(street=street, department=department, started=period, created_at=now)
        result.guidance.append(guidance)
        notify(
            users=unit_people([street.pk, department.pk], [UserRole.UNIT_LEADER]),
            kind=NotificationKind.GUIDANCE,
            data={"street": street.name, "department": department.name, "period": f"{period:%Y-%m}"},
            key=f"guidance:{guidance.pk}",
            url=f"/assessment/guidance/{guidance.pk}/",
            at=now,
        )


def helping_department(street: Unit, start: dt.datetime, end: dt.datetime) -> Unit | None:
    """The city department that helps a 治理类 street: the one that held the most orders of the demands
    located in the street in the month (its matters are that department's); else the city department whose
    district counterpart did (东城区市场监管局 → 市市场监管局); else the first by code."""
    held = (
        WorkOrder.objects.filter(demand__street=street, demand__received_at__gte=start, demand__received_at__lt=end)
        .values("unit_id", "unit__level", "unit__code", "unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "unit__code")
    )
    departments = {u.name: u for u in Unit.objects.filter(level=UnitLevel.DEPARTMENT, is_active=True)}
    district = street.district
    for row in held:
        if row["unit__level"] == UnitLevel.DEPARTMENT:
            return Unit.objects.get(pk=row["unit_id"])
        if row["unit__level"] == UnitLevel.DISTRICT_DEPARTMENT and district is not None:
            # 东城区市场监管局 → 市市场监管局: the city department of the same name.
            counterpart = departments.get("市" + row["unit__name"].removeprefix(district.name))
            if counterpart is not None:
                return counterpart
    return min(departments.values(), key=lambda u: u.code) if departments else None


def _referrals(snapshot, listed: dict, units: dict, result: Consequences, now: dt.datetime) -> None:
    """A unit on the list this month and the months before, HOTLINE_REFERRAL_MONTHS in a row at least."""
    needed = max(1, settings.HOTLINE_REFERRAL_MONTHS)
    streak = {unit_id: 1 for unit_id in listed}
    period = snapshot.period
    for _i in range(24):  # how long each streak runs, month by month back (at most two years)
        period = previous_month(period)
        earlier = final_snapshot(period)
        if earlier is None or not streak:
            break
        still = set(on_the_list(earlier))
        running = [u for u, n in streak.items() if n == months_back(snapshot.period, period) and u in still]
        if not running:
            break
        for unit_id in running:
            streak[unit_id] += 1
    kept = {unit_id for unit_id, months in streak.items() if months >= needed}
    for referral in (
        Referral.objects.filter(period=snapshot.period, withdrawn_at__isnull=True)
        .exclude(unit_id__in=kept)
        .select_related("unit")
    ):
        referral.withdrawn_at = now
        referral.save(update_fields=["withdrawn_at"])
        result.withdrawn += 1
        from dispatch.services import supervisors_over

        notify(
            users=[*unit_people([referral.unit_id], [UserRole.UNIT_LEADER]), *supervisors_over(referral.unit)],
            kind=NotificationKind.REFERRAL_WITHDRAWN,
            data={
                "unit": referral.unit.name,
                "kind": str(referral.get_kind_display()),
                "period": f"{snapshot.period:%Y-%m}",
            },
            key=f"referral-withdrawn:{referral.pk}:{snapshot.pk}",
            url=f"/assessment/consequences/?period={snapshot.period:%Y-%m}#referrals",
            at=now,
        )
    for unit_id, months in sorted(streak.items()):
        if months < needed:
            continue
        referral, created = Referral.objects.get_or_create(
            unit=units[unit_id],
            period=snapshot.period,
            defaults={
                "months": months,
                "kind": Referral.Kind.INTERVIEW if months == needed else Referral.Kind.NOTICE,
                "created_at": now,
            },
        )
        again = ""
        if not created and referral.withdrawn_at is not None:  # listed again by a later revision
            referral.withdrawn_at, referral.months = None, months
            referral.kind = Referral.Kind.INTERVIEW if months == needed else Referral.Kind.NOTICE
            referral.save(update_fields=["withdrawn_at", "months", "kind"])
            created, again = True, f":again:{now.isoformat()}"  # told again: a new key
        if created:
            result.referrals.append(referral)
            unit = units[unit_id]
            from dispatch.services import supervisors_over

            notify(
                users=[*unit_people([unit.pk], [UserRole.UNIT_LEADER]), *supervisors_over(unit)],
                kind=NotificationKind.REFERRAL,
                data={"unit": unit.name, "kind": str(referral.get_kind_display()), "months": months},
                key=f"referral:{referral.pk}{again}",
                url=f"/assessment/consequences/?period={snapshot.period:%Y-%m}#referrals",
                at=now,
            )


def months_back(later: dt.date, earlier: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def consequences_catch_up(*, back: int = 12) -> list[Consequences]:
    """The monthly job (after the freeze, daily at 02:15, and after score_settled_months): every frozen city
    month of the last `back` gets its consequences, oldest first, once."""
    periods = list(
        Snapshot.objects.filter(district__isnull=True, is_preview=False, is_current=True)
        .order_by("-period")
        .values_list("period", flat=True)[:back]
    )
    done = []
    for period in sorted(periods):
        snapshot = final_snapshot(period)
        if snapshot is not None:
            done.append(consequences_apply(snapshot))
    return done


# --- the unit's plan, the district's review --------------------------------------------------------------


def rectification_submit(*, rectification: Rectification, by: User, plan: str, at=None) -> Rectification:
    """The unit submits its plan (or the month's progress report); a returned one is submitted again."""
    if not may(by, "assessment.submit_rectification", rectification):
        raise Forbidden(_("Only the unit concerned submits its rectification."))
    if len(plan.strip()) < 10:
        raise InvalidInput(
            _("Write the plan: what the unit will change, by when, who answers for it."), code="plan_required"
        )
    at = at or timezone.now()
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().select_related("unit").get(pk=rectification.pk)
        if locked.status not in ON_THE_LIST:
            raise StateConflict(
                _("This rectification is “%(status)s”: it is submitted when owed or returned.")
                % {"status": locked.get_status_display()}
            )
        locked.plan, locked.submitted_by, locked.submitted_at = plan.strip(), by, at
        locked.status = Rectification.Status.SUBMITTED
        locked.save()
        reviewers = (
            unit_people([locked.reviewer_unit_id], [UserRole.UNIT_LEADER])
            if locked.reviewer_unit_id
            else unit_people([u.pk for u in Unit.objects.filter(level=UnitLevel.CENTER)], [UserRole.SUPERVISOR])
        )
        notify(
            users=reviewers,
            kind=NotificationKind.RECTIFICATION_SUBMITTED,
            data={"unit": locked.unit.name, "period": f"{locked.period:%Y-%m}"},
            key=f"rectification_submitted:{locked.pk}:{at.isoformat()}",
            url=f"/assessment/rectifications/{locked.pk}/",
            at=at,
        )
    return locked


def rectification_review(
    *, rectification: Rectification, by: User, approve: bool, note: str = "", at=None
) -> Rectification:
    """The district (or the city's supervisors) approves the plan, or returns it saying what it lacks."""
    if not may(by, "assessment.review_rectification", rectification):
        raise Forbidden(_("Only the district over the unit, or the city's supervisors, review its plan."))
    if not approve and not note.strip():
        raise InvalidInput(_("Say what the plan lacks: the unit reads it."), code="note_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().select_related("unit").get(pk=rectification.pk)
        if locked.status != Rectification.Status.SUBMITTED:
            raise StateConflict(
                _("This rectification is “%(status)s”: only a submitted plan is reviewed.")
                % {"status": locked.get_status_display()}
            )
        locked.status = Rectification.Status.APPROVED if approve else Rectification.Status.RETURNED
        locked.reviewed_by, locked.reviewed_at, locked.review_note = by, at, note.strip()
        if not approve:  # returned: the unit gets the same working days again to submit it anew
            locked.due_at = add_working_days(at, settings.HOTLINE_RECTIFY_PLAN_DAYS, WorkCalendar.load())
            locked.escalated_at = None
        locked.save()
        notify(
            users=unit_people([locked.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
            kind=NotificationKind.RECTIFICATION_REVIEWED,
            data={"period": f"{locked.period:%Y-%m}", "decision": str(locked.get_status_display()), "note": note[:200]},
            key=f"rectification_reviewed:{locked.pk}:{at.isoformat()}",
            url=f"/assessment/rectifications/{locked.pk}/",
            at=at,
        )
    return locked


def rectifications_overdue(now: dt.datetime | None = None) -> int:
    """The sweep (hourly): a rectification still owed (or returned) past its due date is escalated once —
    the reviewing district's leaders and the unit's supervisors are told to follow it up, and the
    rectification pages mark it overdue. Returns how many were escalated."""
    from dispatch.services import supervisors_over

    now = now or timezone.now()
    escalated = 0
    due = Rectification.objects.filter(status__in=ON_THE_LIST, escalated_at__isnull=True, due_at__lte=now)
    for pk in list(due.order_by("due_at").values_list("pk", flat=True)[:10_000]):
        with transaction.atomic():
            locked = (
                Rectification.objects.select_for_update()
                .select_related("unit")
                .filter(pk=pk, status__in=ON_THE_LIST, escalated_at__isnull=True, due_at__lte=now)
                .first()
            )
            if locked is None:  # submitted or escalated meanwhile
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            leaders = unit_people([locked.reviewer_unit_id], [UserRole.UNIT_LEADER]) if locked.reviewer_unit_id else []
            notify(
                users=[*leaders, *supervisors_over(locked.unit)],
                kind=NotificationKind.RECTIFICATION_OVERDUE,
                data={
                    "unit": locked.unit.name,
                    "what": str(locked.get_kind_display()),
                    "period": f"{locked.period:%Y-%m}",
                    "due": timezone.localtime(locked.due_at).strftime("%Y-%m-%d %H:%M"),
                },
                key=f"rectification-overdue:{locked.pk}:{locked.due_at.isoformat()}",
                url=f"/assessment/rectifications/{locked.pk}/",
                at=now,
            )
            escalated += 1
    return escalated


# --- 督导 -----------------------------------------------------------------------------------------------


def guidance_plan(*, guidance: Guidance, by: User, plan: str) -> Guidance:
    if not may(by, "assessment.record_guidance", guidance):
        raise Forbidden(_("Only the department assigned to help the street writes its plan."))
    if not plan.strip():
        raise InvalidInput(_("Write the plan."), code="plan_required")
    guidance.plan = plan.strip()
    guidance.save(update_fields=["plan"])
    return guidance


def guidance_visit(*, guidance: Guidance, by: User, visited_at: dt.datetime, note: str, at=None) -> GuidanceVisit:
    if not may(by, "assessment.record_guidance", guidance):
        raise Forbidden(_("Only the department assigned to help the street records its visits."))
    at = at or timezone.now()
    if not note.strip():
        raise InvalidInput(_("Say what was found and agreed."), code="note_required")
    if visited_at > at + dt.timedelta(minutes=5):
        raise InvalidInput(_("A visit cannot lie in the future."), code="visited_in_future")
    return GuidanceVisit.objects.create(
        guidance=guidance, visited_at=visited_at, note=note.strip(), by=by, recorded_at=at
    )


# --- the evidence pack ----------------------------------------------------------------------------------


def evidence(referral: Referral) -> dict:
    """What a referral rests on, month by month: the unit's scorecard rows, its orders left unanswered, and
    the 督办单 it was issued."""
    from .selectors import items_of

    months = []
    period = referral.period
    for _i in range(referral.months):
        snapshot = final_snapshot(period)
        if snapshot is None:
            break
        start, end = month_bounds(period)
        months.append(
            {
                "period": period,
                "row": snapshot.units.filter(unit=referral.unit).first(),
                "unanswered": list(
                    items_of(snapshot)
                    .filter(unit=referral.unit, outcome="no_reply")
                    .select_related("order", "category")
                    .order_by("due_at")[:200]
                ),
                "supervisions": list(
                    SupervisionOrder.objects.filter(unit=referral.unit, issued_at__gte=start, issued_at__lt=end)
                    .select_related("order")
                    .order_by("issued_at")[:200]
                ),
            }
        )
        period = previous_month(period)
    return {"referral": referral, "months": list(reversed(months))}


def evidence_pdf(referral: Referral) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("assessment/referral_pdf.html", evidence(referral))
    return HTML(string=html).write_pdf()
