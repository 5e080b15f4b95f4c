"""Writes of the assessment (压力感知): freezing a month (assessment.scoring, by the rules of
assessment.rules), its revisions (appeals, late exemptions), exemptions (不合理诉求), appeals (申诉) and
leaders' 批示. docs/assessment.md states every rule in plain words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import LongPendingRequest, WorkOrder, WorkOrderRound
from feedback.choices import Resolution, Satisfaction
from hotline.core.access import may
from hotline.core.choices import NotificationKind, UnitLevel
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import StateConflict
from hotline.core.models import Unit
from hotline.core.notify import notify
from hotline.core.selectors import unit_people
from hotline.core.uploads import check_files, described
from hotline.core.workdays import WorkCalendar

from .models import Kind, Outcome, Scheme, Snapshot, SnapshotCredit, SnapshotOrder
from .scoring import (  # noqa: F401  (the periods are read by reports too)
    final_snapshot,
    freeze,
    lock_period,
    month_bounds,
    new_snapshot,
    next_month,
    previous_month,
    q,
    scheme_for,
    settlement_end,
    summarise,
)


class MonthNotOver(StateConflict):
    """A month is frozen only once it has ended (as of the moment given), and once its settlement
    window has closed unless forced."""


def freeze_check(period: dt.date, at: dt.datetime, *, force: bool = False, district: Unit | None = None) -> None:
    """Why the month cannot be frozen as of `at` (raises), or nothing."""
    start, end = month_bounds(period)
    if at < end:
        raise MonthNotOver(
            _("%(month)s has not ended (as of %(at)s): use --preview for the month so far.")
            % {"month": f"{period:%Y-%m}", "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
            code="month_not_ended",
        )
    closes = settlement_end(period, scheme_for(period, district))
    if at < closes and not force:
        raise MonthNotOver(
            _(
                "The settlement window of %(month)s is open until %(closes)s (replies and callbacks of the orders due "
                "at its end still count): use --preview for the month so far, or --force to freeze it now."
            )
            % {"month": f"{period:%Y-%m}", "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")},
            code="settlement_open",
        )


def score_month(
    period: dt.date,
    *,
    note: str = "",
    at: dt.datetime | None = None,
    district: Unit | None = None,
    preview: bool = False,
) -> Snapshot:
    """Judge the month's items as of `at` (default: now) and freeze them as its new current revision (or
    its preview). The caller checks freeze_check first where an operator asks (scoremonth)."""
    return freeze(period, at=at, preview=preview, district=district, note=note)


def score_preview(*, at: dt.datetime | None = None, district: Unit | None = None) -> list[Snapshot]:
    """预览: the month so far, and the month before while its settlement window is open (nightly in beat)."""
    at = at or timezone.now()
    month = timezone.localtime(at).date().replace(day=1)
    months = [month]
    last = previous_month(month)
    if final_snapshot(last, district) is None:
        months.insert(0, last)
    return [freeze(m, at=at, preview=True, district=district, note="preview") for m in months]


def score_settled_months(*, at: dt.datetime | None = None, back: int = 12) -> list[Snapshot]:
    """Scoring never waits for an operator: every month of the last `back` whose settlement window has
    closed and that has no snapshot yet is frozen, each as of the moment its window closed (so a month
    caught up after downtime is the month an on-time run would have frozen), oldest first (a month's
    carried items come from the month before). Districts with their own scheme are scored too."""
    at = at or timezone.now()
    month = timezone.localtime(at).date().replace(day=1)
    months = []
    for _i in range(back):
        month = previous_month(month)
        months.append(month)
    scopes = [
        None,
        *Unit.objects.filter(pk__in=Scheme.objects.filter(district__isnull=False, is_active=True).values("district")),
    ]
    frozen = []
    first_order = WorkOrder.objects.order_by("deadline").values_list("deadline", flat=True).first()
    for period in reversed(months):
        if first_order is None or month_bounds(period)[1] <= first_order:
            continue  # nothing fell due yet then
        for district in scopes:
            closes = settlement_end(period, scheme_for(period, district))
            if closes > at or final_snapshot(period, district) is not None:
                continue
            frozen.append(freeze(period, at=closes, district=district, note="scheduled", if_missing=True))
    return frozen


def ranking_snapshot(period: dt.date, at: dt.datetime, *, now: dt.datetime | None = None) -> Snapshot:
    """The month's ranking as a report of a period ending at `at` reads it: the frozen month once it is
    final and `at` is past its end; otherwise the month so far — the nightly preview if it is as recent
    as `at`, or a preview made as of `now` (the build's moment)."""
    period = period.replace(day=1)
    final = final_snapshot(period)
    if final is not None and at >= month_bounds(period)[1]:
        return final
    preview = Snapshot.objects.filter(period=period, district__isnull=True, is_preview=True).first()
    if preview is not None and preview.as_of and preview.as_of >= at:
        return preview
    return freeze(period, at=max(at, now or timezone.now()), preview=True, note="preview")


def snapshot_sums(snapshot: Snapshot) -> dict[int, tuple]:
    """{unit_id: (scored for 响应率, Σ response, scored for 解决率/满意率, Σ resolution, Σ satisfaction)} of a
    frozen snapshot (the reports sum them by district or street)."""
    from .selectors import items_of

    return {
        row["unit_id"]: (
            row["n"],
            Decimal(str(row["r"] or 0)),
            row["m"],
            Decimal(str(row["s"] or 0)),
            Decimal(str(row["t"] or 0)),
        )
        for row in items_of(snapshot)
        .values("unit_id")
        .annotate(
            n=Count("id", filter=Q(counts_response=True)),
            r=Sum("response_score", filter=Q(counts_response=True)),
            m=Count("id", filter=Q(counts_result=True)),
            s=Sum("resolution_score", filter=Q(counts_result=True)),
            t=Sum("satisfaction_score", filter=Q(counts_result=True)),
        )
        .order_by()
    }


def rates_of(sums: tuple, scheme: Scheme) -> dict:
    """Rates and composite (without bonus and process) from snapshot_sums' tuple (or the first rules'
    (orders, Σ response, Σ resolution, Σ satisfaction))."""
    if len(sums) == 4:
        n, response, resolution, satisfaction = sums
        m = n
    else:
        n, response, m, resolution, satisfaction = sums
    if not n and not m:
        return {"assessed": 0, "response_rate": None, "resolution_rate": None, "satisfaction_rate": None, "score": None}
    rates = [
        q(Decimal(response) / n) if n else None,
        q(Decimal(resolution) / m) if m else None,
        q(Decimal(satisfaction) / m) if m else None,
    ]
    score = q(
        scheme.weight_response * (rates[0] or 0)
        + scheme.weight_resolution * (rates[1] or 0)
        + scheme.weight_satisfaction * (rates[2] or 0)
    )
    return {
        "assessed": max(n, m),
        "response_rate": rates[0],
        "resolution_rate": rates[1],
        "satisfaction_rate": rates[2],
        "score": score,
    }


UNIT_COPIED = ("volume", "per_10k", "previous_score")
# The columns an item's new version copies from the row it replaces (then changed as the revision says).
ITEM_ATTNAMES = [
    f.attname for f in SnapshotOrder._meta.concrete_fields if f.name not in ("id", "snapshot", "replaced_in")
]


@transaction.atomic
def revise(
    period: dt.date,
    *,
    district: Unit | None = None,
    drop: set | None = None,
    corrections: dict | None = None,
    reattribute: dict | None = None,
    unrate: set | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Snapshot:
    """A new current revision of a frozen month that differs only by what is named, the revisions before
    it staying as they were:
    - `drop` {order} or {(order, round)}: those items are exempted (not scored);
    - `corrections` {(order, kind, round): (contacted, resolution, satisfaction)}: one item's answers;
    - `reattribute` {order: unit}: the order's items count for another unit;
    - `unrate` {assisting order}: the lead unit's rating of that part's cooperation no longer counts
      (an accepted appeal against it); the part's other checks stand.
    The revision is made on the month's current one, read under the month's lock (two decisions at once
    each keep the other's change). It writes only the changed items and marks the rows they replace
    (assessment.selectors.items_of); the volumes and the previous month's scores are kept; the unit
    figures are summed again from the items by the freeze's own code."""
    from .rules import Item, Rules, with_answers
    from .selectors import items_of

    lock_period(period, district)
    current = final_snapshot(period, district)
    if current is None:
        raise StateConflict(_("%(month)s has not been frozen yet.") % {"month": f"{period:%Y-%m}"}, code="not_scored")
    new = new_snapshot(
        period,
        current.scheme,
        district=district,
        preview=False,
        note=note,
        at=current.as_of,
        computed_at=at or timezone.now(),
        rules=current.rules,
    )
    new.base_id = current.base_id or current.pk
    new.save(update_fields=["base"])
    rules = Rules.of(current.scheme)
    live = items_of(current)
    changed: list[tuple] = []  # (old row, its new values)
    for target in drop or ():
        order_id, round_ = target if isinstance(target, tuple) else (target, None)
        rows = live.filter(order_id=order_id) if round_ is None else live.filter(order_id=order_id, round=round_)
        for row in rows.exclude(outcome=Outcome.EXEMPTED):
            changed.append(
                (
                    row,
                    {
                        "outcome": Outcome.EXEMPTED,
                        "counts_response": False,
                        "counts_result": False,
                        "counts_process": False,
                        "response_score": None,
                        "resolution_score": None,
                        "satisfaction_score": None,
                        "bonus": Decimal("0"),
                    },
                )
            )
    for order_id in unrate or ():
        for row in live.filter(order_id=order_id, kind=Kind.ASSIST).exclude(cooperation=""):
            changed.append((row, {"cooperation": "", "cooperation_score": None}))
    for (order_id, kind, round_), (contacted, resolution, satisfaction) in (corrections or {}).items():
        for row in live.filter(order_id=order_id, kind=kind, round=round_).exclude(outcome=Outcome.EXEMPTED):
            fixed = with_answers(
                Item(**{name: getattr(row, name) for name in Item.__dataclass_fields__}),
                rules,
                contacted,
                resolution,
                satisfaction,
            )
            changed.append(
                (
                    row,
                    {
                        "contacted": fixed.contacted,
                        "resolution": fixed.resolution,
                        "satisfaction": fixed.satisfaction,
                        "response_score": fixed.response_score,
                        "resolution_score": fixed.resolution_score,
                        "satisfaction_score": fixed.satisfaction_score,
                        "bonus": row.bonus if resolution == "resolved" else Decimal("0"),
                    },
                )
            )
    for order_id, unit in (reattribute or {}).items():
        for row in live.filter(order_id=order_id):
            changed.append((row, {"unit_id": unit.pk}))
    SnapshotOrder.objects.filter(pk__in=[row.pk for row, _values in changed]).update(replaced_in=new.revision)
    SnapshotOrder.objects.bulk_create(
        [
            SnapshotOrder(snapshot=new, **{**{name: getattr(row, name) for name in ITEM_ATTNAMES}, **values})
            for row, values in changed
        ]
    )
    copied = {
        row["unit_id"]: {name: row[name] for name in UNIT_COPIED}
        for row in current.units.values("unit_id", *UNIT_COPIED)
    }
    # The 主动治理 credits were read when the month was frozen: a revision keeps them (and their points).
    credits_ = list(current.credits.all())
    for credit in credits_:
        credit.pk, credit.snapshot = None, new
    SnapshotCredit.objects.bulk_create(credits_)
    proactive: dict[int, tuple[Decimal, int]] = {}
    for credit in credits_:
        total, n = proactive.get(credit.unit_id, (Decimal("0"), 0))
        proactive[credit.unit_id] = (total + credit.points, n + (1 if credit.points > 0 else 0))
    summarise(
        new,
        current.scheme,
        copied=copied,
        proactive=proactive,
        unit_ids=list(Unit.objects.filter(path__startswith=district.path).values_list("pk", flat=True))
        if district is not None
        else None,
    )
    return new


def rescore_without(
    snapshot: Snapshot, *, exclude_orders: set[int], note: str = "", at: dt.datetime | None = None
) -> Snapshot:
    """A new revision of the snapshot's month without the orders taken out (accepted appeals, late
    exemptions)."""
    return revise(snapshot.period, district=snapshot.district, drop=set(exclude_orders), note=note, at=at)


# --- exemptions and appeals -------------------------------------------------------------------------

APPEAL_WINDOW_WORKING_DAYS = 5


def exemption_propose(*, order: WorkOrder, by, reason: str, kind: str = "other", at: dt.datetime | None = None):
    """A dispatcher proposes that an order is an unreasonable demand (不合理诉求), with its kind."""
    from hotline.core.exceptions import Forbidden, InvalidInput

    from .models import Exemption, UnreasonableKind

    if not may(by, "assessment.propose_exemption"):
        raise Forbidden(_("Only a dispatcher proposes an exemption."))
    if not reason.strip():
        raise InvalidInput(_("Say why the demand is unreasonable."), code="reason_required")
    if kind not in UnreasonableKind.values or kind == UnreasonableKind.APPEAL:
        raise InvalidInput(_("Choose what kind of unreasonable demand it is."), code="invalid_kind")
    if order.exemptions.filter(Q(status="pending") | Q(status="approved", round__isnull=True)).exists():
        raise StateConflict(_("This order already has an exemption pending or approved."), code="exemption_exists")
    return Exemption.objects.create(
        order=order, kind=kind, reason=reason.strip(), proposed_by=by, proposed_at=at or timezone.now()
    )


def _check_reviewer(by) -> None:
    """The city's decision (市级审核): a supervisor or administrator of the hotline center, never a
    district's (a district reviews its own units' appeals first, then the city decides)."""
    from hotline.core.exceptions import Forbidden

    if not may(by, "assessment.decide_appeal"):
        raise Forbidden(_("Only the city's supervisors decide exemptions and appeals."), code="not_city_reviewer")


def snapshots_holding(order: WorkOrder) -> list[Snapshot]:
    """The current frozen months in which the order has an item (its rounds' months and the months its
    items were carried into), found through the (snapshot, unit) index."""

    from .selectors import items_of

    deadlines = [
        order.deadline,
        *WorkOrderRound.objects.filter(order=order).values_list("deadline", flat=True),
        *LongPendingRequest.objects.filter(order=order, status="approved").values_list("old_deadline", flat=True),
    ]
    months = set()
    for deadline in deadlines:
        month = timezone.localtime(deadline).date().replace(day=1)
        for _i in range(4):  # the month it fell due and the months it may have been carried into
            months.add(month)
            month = next_month(month)
    candidates = Snapshot.objects.filter(period__in=months, is_current=True, is_preview=False)
    return [
        snapshot
        for snapshot in candidates
        if items_of(snapshot).filter(unit_id=order.unit_id, order_id=order.pk).exists()
    ]


def exemption_decide(*, exemption, by, approve: bool, note: str = "", at: dt.datetime | None = None):
    """A supervisor decides a proposed exemption. Approved after the order's month was frozen, it makes a
    new revision of each month holding the order (the old revision stays as it was)."""
    from .models import DecisionStatus

    _check_reviewer(by)
    at = at or timezone.now()
    with transaction.atomic():
        exemption = type(exemption).objects.select_for_update().get(pk=exemption.pk)
        if exemption.status != DecisionStatus.PENDING:
            raise StateConflict(_("This exemption was already decided."), code="already_decided")
        if (
            approve
            and type(exemption)
            .objects.filter(order=exemption.order, status=DecisionStatus.APPROVED, round__isnull=True)
            .exists()
        ):
            raise StateConflict(_("The order is already exempted."), code="already_exempted")
        exemption.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        exemption.decided_by, exemption.decided_at, exemption.decision_note = by, at, note
        exemption.save()
        if approve:
            for snapshot in snapshots_holding(exemption.order):
                revise(
                    snapshot.period,
                    district=snapshot.district,
                    drop={exemption.order_id},
                    at=at,
                    note=f"exemption #{exemption.pk} ({exemption.get_kind_display()}) approved after the freeze",
                )
    return exemption


def is_unit_member(user) -> bool:
    """A handling unit's own staff (not the hotline center, whose subtree is every unit)."""
    return may(user, "assessment.appeal")


def appeal_deadline(snapshot: Snapshot) -> dt.datetime:
    """5 working days after the month was first frozen (a later revision does not reopen the window)."""
    from hotline.core.workdays import add_working_days

    first = (
        Snapshot.objects.filter(period=snapshot.period, district=snapshot.district, is_preview=False)
        .order_by("revision")
        .first()
        or snapshot
    )
    return add_working_days(first.computed_at, APPEAL_WINDOW_WORKING_DAYS, WorkCalendar.load())


def appeal_quota_left(snapshot: Snapshot, unit: Unit) -> dict:
    """The unit's appeals of the month: allowed (the scheme's quota of its scored items in the revision
    given, the current one), used, left."""
    from .models import Appeal
    from .scoring import appeal_quota

    row = snapshot.units.filter(unit=unit).first()
    total = appeal_quota(snapshot.scheme, row.assessed if row else 0)
    # Every appeal submitted counts, decided either way: the quota limits how many are filed.
    used = Appeal.objects.filter(unit=unit, period=snapshot.period).count()
    return {"total": total, "used": used, "left": max(0, total - used)}


def _district_of(unit: Unit) -> Unit | None:
    """The district that reviews a unit's appeals first (None: a city department, an enterprise, a district)."""
    node = unit.parent
    while node is not None and node.level != UnitLevel.DISTRICT:
        node = node.parent
    return node if unit.level != UnitLevel.DISTRICT else None


def appeal_submit(
    *,
    snapshot_order: SnapshotOrder,
    by,
    reason: str,
    evidence: str = "",
    reason_kind: str = "other",
    outcome: str = "drop",
    corrected: tuple | None = None,
    reattribute_to: Unit | None = None,
    files=(),
    at: dt.datetime | None = None,
):
    """申诉 by the unit the item counted for, against the month's current frozen snapshot, within the
    window and the month's quota, with what it asks for (drop, correct the answers, re-attribute) and
    its evidence files. Goes to the unit's district first, else straight to the city."""
    from hotline.core.exceptions import Forbidden, InvalidInput

    from .models import Appeal, AppealAttachment, AppealOutcome, AppealReason, DecisionStatus, Outcome
    from .selectors import items_of

    at = at or timezone.now()
    written = snapshot_order.snapshot  # the revision that wrote the row (revisions share unchanged rows)
    if not is_unit_member(by) or not snapshot_order.unit.is_within(by.unit):
        raise Forbidden(_("Only the unit the order counted for can appeal it."))
    if written.is_preview:
        raise StateConflict(_("A preview cannot be appealed: appeal once the month is frozen."), code="preview")
    snapshot = final_snapshot(written.period, written.district)
    if snapshot is None or not items_of(snapshot).filter(pk=snapshot_order.pk).exists():
        raise StateConflict(_("This revision has been replaced; appeal against the current one."), code="old_revision")
    if at > appeal_deadline(snapshot):
        raise StateConflict(_("The appeal window of this month has closed."), code="appeal_window_closed")
    if snapshot_order.kind == Kind.ASSIST and (not snapshot_order.cooperation or outcome != AppealOutcome.DROP):
        # 协办: the times are facts; what can be unfair is the lead unit's rating, and only its removal is asked.
        raise StateConflict(
            _(
                "An assisting part (协办) counts what the times show and the lead unit's rating: only a rating can "
                "be appealed, and the appeal asks to drop it."
            ),
            code="not_appealable",
        )
    if not reason.strip():
        raise InvalidInput(_("Say why the evaluation is unfair."), code="reason_required")
    if reason_kind not in AppealReason.values:
        raise InvalidInput(_("Choose the reason of the appeal."), code="invalid_reason_kind")
    if outcome not in AppealOutcome.values:
        raise InvalidInput(_("Choose what the appeal asks for."), code="invalid_outcome")
    fields = {}
    if outcome == AppealOutcome.CORRECT:
        if snapshot_order.outcome not in (Outcome.EVALUATED, Outcome.LATE, Outcome.LONG_PENDING):
            # Nothing the citizen said was recorded (no reply, unreachable…): there is no answer to correct.
            raise InvalidInput(
                _("Only a recorded evaluation can be corrected; ask to drop the order instead, with your evidence."),
                code="nothing_to_correct",
            )
        contacted, resolution, satisfaction = corrected or (None, "", "")

        if (
            not isinstance(contacted, bool)
            or resolution not in Resolution.values
            or satisfaction not in Satisfaction.values
        ):
            raise InvalidInput(_("Give the three answers that should have been recorded."), code="corrected_required")
        fields = {
            "corrected_contacted": contacted,
            "corrected_resolution": resolution,
            "corrected_satisfaction": satisfaction,
        }
    if outcome == AppealOutcome.REATTRIBUTE:
        if reattribute_to is None or reattribute_to.pk == snapshot_order.unit_id:
            raise InvalidInput(_("Choose the unit the order should count for."), code="reattribute_to_required")
        fields = {"reattribute_to": reattribute_to}
    files = check_files(files)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=snapshot_order.unit_id)  # one quota count at a time
        if Appeal.objects.filter(
            snapshot_order__order=snapshot_order.order,
            period=snapshot.period,
            status__in=[DecisionStatus.PENDING, DecisionStatus.FORWARDED],
        ).exists():
            raise StateConflict(_("This order already has an appeal waiting."), code="appeal_pending")
        quota = appeal_quota_left(snapshot, unit)
        if quota["left"] <= 0:
            raise StateConflict(
                _(
                    "Your unit has used its %(total)s appeals of %(month)s (控制申诉数量: at least %(min)s, or "
                    "%(share)s%% of its scored orders)."
                )
                % {
                    "total": quota["total"],
                    "month": f"{snapshot.period:%Y-%m}",
                    "min": snapshot.scheme.appeal_quota_min,
                    "share": q(snapshot.scheme.appeal_quota_share * 100).normalize(),
                },
                code="appeal_quota_exceeded",
            )
        district = _district_of(unit)
        appeal = Appeal.objects.create(
            snapshot_order=snapshot_order,
            period=snapshot.period,
            unit=unit,
            reason_kind=reason_kind,
            reason=reason.strip(),
            evidence=evidence.strip(),
            outcome=outcome,
            submitted_by=by,
            submitted_at=at,
            district=district,
            status=DecisionStatus.PENDING if district else DecisionStatus.FORWARDED,
            **fields,
        )
        for upload in files:
            AppealAttachment.objects.create(
                appeal=appeal,
                file=upload,
                **described(upload),
                uploaded_at=at,
            )
    return appeal


def may_review_at_district(user, appeal) -> bool:
    """The district's review: its leaders and supervisors (a user of the district sub-center)."""
    return may(user, "assessment.review_appeal_for_district", appeal)


def may_read_appeal(user, appeal) -> bool:
    """The unit that appealed, its district's reviewers, and the city's supervisors and admins."""
    return may(user, "assessment.read_appeal", appeal)


def appeal_review_district(*, appeal, by, agree: bool, note: str, at: dt.datetime | None = None):
    """区级审核: the district agrees (the appeal goes on to the city) or rejects it (final)."""
    from hotline.core.exceptions import Forbidden, InvalidInput

    from .models import DecisionStatus

    if not may_review_at_district(by, appeal):
        raise Forbidden(_("Only the unit's district reviews this appeal first."), code="not_district_reviewer")
    if appeal.submitted_by_id == by.pk:
        raise Forbidden(_("Nobody decides their own appeal."), code="own_appeal")
    if not note.strip():
        raise InvalidInput(_("Give the reason of the decision."), code="reason_required")
    with transaction.atomic():
        appeal = type(appeal).objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != DecisionStatus.PENDING:
            raise StateConflict(_("This appeal is not waiting for the district."), code="already_decided")
        appeal.status = DecisionStatus.FORWARDED if agree else DecisionStatus.REJECTED
        appeal.district_decided_by, appeal.district_decided_at = by, at or timezone.now()
        appeal.district_note = note.strip()
        appeal.save()
        if not agree:  # rejected by the district: final, and the unit is told
            _appeal_decided(appeal, _("rejected by the district: %(note)s") % {"note": appeal.district_note})
    return appeal


def _appeal_decided(appeal, decision: str) -> None:
    """The appealing unit hears of the decision: who submitted it and the unit's leaders."""
    people = unit_people([appeal.unit_id], [UserRole.UNIT_LEADER])
    notify(
        users=[appeal.submitted_by_id, *people],
        kind=NotificationKind.APPEAL_DECIDED,
        data={"order": appeal.snapshot_order.order.number, "decision": decision},
        key=f"appeal:{appeal.pk}:{appeal.status}",
        url=f"/assessment/units/{appeal.unit.code}/",
    )


def appeal_decide(*, appeal, by, accept: bool, note: str, at: dt.datetime | None = None):
    """市级审核: accepted, the month changes as the appeal asked — drop: the appealed round is exempted;
    correct: the item's recorded answers; re-attribute: the unit the order counts for — in a new revision
    of the current one, the revisions before it intact."""
    from hotline.core.exceptions import Forbidden, InvalidInput

    from .models import AppealOutcome, DecisionStatus, Exemption, UnreasonableKind

    _check_reviewer(by)
    if appeal.submitted_by_id == by.pk:
        raise Forbidden(_("Nobody decides their own appeal."), code="own_appeal")
    if appeal.district_decided_by_id is not None and appeal.district_decided_by_id == by.pk:
        raise Forbidden(_("The city's decision is not taken by the district's reviewer."), code="same_reviewer")
    if not note.strip():
        raise InvalidInput(_("Give the reason of the decision."), code="reason_required")
    at = at or timezone.now()
    with transaction.atomic():
        appeal = type(appeal).objects.select_for_update().get(pk=appeal.pk)
        if appeal.status == DecisionStatus.PENDING:
            raise StateConflict(_("The district has not reviewed this appeal yet."), code="district_review_pending")
        if appeal.status != DecisionStatus.FORWARDED:
            raise StateConflict(_("This appeal was already decided."), code="already_decided")
        appeal.status = DecisionStatus.APPROVED if accept else DecisionStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = by, at, note.strip()
        if accept:
            item = appeal.snapshot_order
            order = item.order
            month = {
                "period": appeal.period,
                "district": item.snapshot.district,
                "at": at,
                "note": f"appeal #{appeal.pk} accepted: {appeal.get_outcome_display()}",
            }
            if appeal.outcome == AppealOutcome.CORRECT:
                appeal.revision = revise(
                    **month,
                    corrections={
                        (order.pk, item.kind, item.round): (
                            appeal.corrected_contacted,
                            appeal.corrected_resolution,
                            appeal.corrected_satisfaction,
                        )
                    },
                )
            elif appeal.outcome == AppealOutcome.REATTRIBUTE:
                appeal.revision = revise(**month, reattribute={order.pk: appeal.reattribute_to})
            elif item.kind == Kind.ASSIST:  # the lead unit's rating of the cooperation no longer counts
                appeal.revision = revise(**month, unrate={order.pk})
            else:
                # The appealed round only: a later round of the order is judged on its own.
                Exemption.objects.get_or_create(
                    order=order,
                    round=item.round,
                    status=DecisionStatus.APPROVED,
                    defaults={
                        "kind": UnreasonableKind.APPEAL,
                        "reason": f"申诉 #{appeal.pk}: {appeal.reason}"[:2000],
                        "proposed_by": appeal.submitted_by,
                        "proposed_at": appeal.submitted_at,
                        "decided_by": by,
                        "decided_at": at,
                        "decision_note": note.strip(),
                    },
                )
                appeal.revision = revise(**month, drop={(order.pk, item.round)})
        appeal.save()
        verdict = _("accepted: %(note)s") if accept else _("rejected by the city: %(note)s")
        _appeal_decided(appeal, verdict % {"note": appeal.decision_note})
    return appeal


def revision_changes(old: Snapshot, new: Snapshot) -> list[dict]:
    """What a new revision changed: the units whose score, rank or tier differ."""
    before = {r.unit_id: r for r in old.units.select_related("unit")}
    changes = []
    for row in new.units.select_related("unit"):
        prior = before.get(row.unit_id)
        if prior is None or (prior.score, prior.rank, prior.tier) != (row.score, row.rank, row.tier):
            changes.append({"unit": row.unit, "before": prior, "after": row})
    return changes
