"""Building the three reports on generated data, and their numbers against direct queries."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from assessment.models import Scheme
from dispatch.models import WorkOrder, WorkOrderEvent
from dispatch.services import demand_take
from dispatch.sweep import deadlines_sweep
from feedback.models import Evaluation
from hotline.core.models import Category, Unit
from intake.models import Demand
from reports import builder
from reports.choices import Kind, Section, Status
from reports.models import Report
from reports.selectors import report_view
from reports.services import report_build, report_build_scheduled, report_request
from tests.conftest import DISTRICT, OTHER_DISTRICT_STREET, STREET_A, STREET_B
from tests.factories import UserFactory, main_order

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 18)  # a Wednesday
AFTER = dt.datetime(2026, 11, 23, 6, 0, tzinfo=TZ)  # when the reports are built
STREETS = [STREET_A, STREET_B, OTHER_DISTRICT_STREET, "110105002"]
CATEGORIES = ["010101", "010301", "020101", "030101", "040101", "050101"]
CHANNELS = ["phone", "phone", "phone", "web", "app", "wechat"]
TYPES = ["complaint", "complaint", "help", "consult", "report", "suggestion"]


def moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def demand(
    day,
    *,
    street=STREET_A,
    category="010101",
    channel="phone",
    demand_type="complaint",
    hour=10,
    phone=None,
    urgency="normal",
    name="王小明",
    confidential=False,
    **extra,
):
    return demand_take(
        channel=channel,
        demand_type=demand_type,
        category=Category.objects.get(code=category),
        content=extra.pop("content", "反映的问题"),
        caller_phone=phone or f"1390000{random.randint(1000, 9999)}",
        caller_name=name,
        street=Unit.objects.get(code=street) if street else None,
        urgency=urgency,
        received_at=moment(day, hour),
        confidential=confidential,
        **extra,
    )


def direct(day_from: dt.date, day_to: dt.date, field: str, **filters) -> dict:
    start, end = builder.bounds(day_from, day_to)
    return dict(
        Demand.objects.filter(received_at__gte=start, received_at__lt=end, **filters)
        .values_list(field)
        .annotate(n=Count("id"))
        .order_by()
    )


def build(kind, day=DAY, at=AFTER):
    report = report_request(kind=kind, day=day, at=at, enqueue=False)
    return report_build(report.pk, at=at)


def by_key(items):
    return {i["key"]: (i["value"], i["prev"], i["base"]) for i in items}


def test_daily_totals_match_direct_counts(city, leader):
    report = build(Kind.DAILY)
    assert report.status == Status.READY and report.is_current and report.revision == 1
    totals = report_view(report, leader)["sections"][Section.TOTALS]
    day_before, week_before = DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=7)
    channels = {
        k: (
            direct(DAY, DAY, "channel").get(k, 0),
            direct(day_before, day_before, "channel").get(k, 0),
            direct(week_before, week_before, "channel").get(k, 0),
        )
        for k in set(direct(DAY, DAY, "channel"))
        | set(direct(day_before, day_before, "channel"))
        | set(direct(week_before, week_before, "channel"))
    }
    assert by_key(totals["channel"]) == channels
    assert {k: v[0] for k, v in by_key(totals["demand_type"]).items() if v[0]} == direct(DAY, DAY, "demand_type")
    assert totals["total"]["value"] == sum(direct(DAY, DAY, "channel").values())
    assert totals["total"]["prev"] == sum(direct(day_before, day_before, "channel").values())
    assert totals["total"]["base"] == sum(direct(week_before, week_before, "channel").values())
    # By top-level category and district.
    top = Counter()
    for category_id, n in direct(DAY, DAY, "category").items():
        top[Category.objects.get(pk=category_id).parent.parent.code] += n
    assert {k: v[0] for k, v in by_key(totals["category"]).items() if v[0]} == dict(top)
    districts = {Unit.objects.get(pk=pk).code if pk else "-": n for pk, n in direct(DAY, DAY, "district").items()}
    assert {k: v[0] for k, v in by_key(totals["place"]).items() if v[0]} == districts
    assert districts["-"] == 1
    # The change is against the day before, in percent.
    total = totals["total"]
    assert total["change"] == round((total["value"] - total["prev"]) * 100 / total["prev"], 1)


def test_numbers_are_frozen_and_a_rebuild_is_a_new_revision(city, leader):
    first = build(Kind.DAILY)
    before = report_view(first, leader)["sections"][Section.TOTALS]["total"]["value"]
    demand(DAY, hour=12)  # a late-registered demand of that day
    assert report_view(Report.objects.get(pk=first.pk), leader)["sections"][Section.TOTALS]["total"]["value"] == before
    second = build(Kind.DAILY)
    assert second.revision == 2 and second.is_current
    assert not Report.objects.get(pk=first.pk).is_current
    assert report_view(second, leader)["sections"][Section.TOTALS]["total"]["value"] == before + 1


def test_a_district_leader_reads_their_subtree_only(city, leader):
    district_leader = UserFactory(username="t_dongcheng_leader", role="leader", unit=Unit.objects.get(code=DISTRICT))
    street_leader = UserFactory(username="t_street_leader", role="unit_leader", unit=Unit.objects.get(code=STREET_A))
    report = build(Kind.DAILY)
    district = Unit.objects.get(code=DISTRICT)
    view = report_view(report, district_leader)
    assert view["scope"].unit == district and not view["scope"].is_city
    totals = view["sections"][Section.TOTALS]
    assert totals["total"]["value"] == sum(direct(DAY, DAY, "channel", district=district).values())
    assert by_key(totals["place"]).keys() <= {STREET_A, STREET_B}
    assert {k: v[0] for k, v in by_key(totals["place"]).items() if v[0]} == {
        Unit.objects.get(pk=pk).code: n for pk, n in direct(DAY, DAY, "street", district=district).items()
    }
    street = report_view(report, street_leader)["sections"][Section.TOTALS]
    assert street["total"]["value"] == direct(DAY, DAY, "street").get(Unit.objects.get(code=STREET_A).pk, 0)
    city_total = report_view(report, leader)["sections"][Section.TOTALS]["total"]["value"]
    assert city_total > totals["total"]["value"] > 0


def test_hotspots_key_cases_and_alerts(reference, leader, settings):
    settings.HOTLINE_REPORT_HOTSPOT_RATIO = 3
    # A hotspot: 4 demands of 施工噪声 in 景山 on the day, none in the 28 days before.
    for hour in (8, 9, 10, 11):
        demand(DAY, street=STREET_B, category="010501", hour=hour)
    # Not a hotspot: 3 of 占道经营 in 东华门, where 28 came in the 28 days before (1 a day).
    for offset in range(1, 29):
        demand(DAY - dt.timedelta(days=offset), street=STREET_A, category="010101")
    for hour in (8, 9, 10):
        demand(DAY, street=STREET_A, category="010101", hour=hour)
    # Key cases: urgent; media-sensitive (房屋安全 → 墙体开裂); a repeated caller (3rd call in 30 days);
    # a group demand (an order reaching 5 complainants with calls merged that day).
    urgent = demand(DAY, urgency="urgent", category="010303", street=OTHER_DISTRICT_STREET, hour=7)
    sensitive = demand(DAY, category="020202", street=STREET_B, name="李四", confidential=True)
    for offset in (20, 5):
        demand(DAY - dt.timedelta(days=offset), phone="13911112222", category="030101")
    repeated = demand(DAY, phone="13911112222", category="030101", hour=15)
    group = main_order(demand(DAY - dt.timedelta(days=2), category="040101", street=OTHER_DISTRICT_STREET))
    for hour in (9, 10, 11, 12):
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=group.demand.category,
            content="同样的扬尘",
            caller_phone=f"1370000000{hour}",
            street=Unit.objects.get(code=OTHER_DISTRICT_STREET),
            action="merge",
            merge_into=group,
            received_at=moment(DAY, hour),
        )
    report = build(Kind.DAILY)
    view = report_view(report, leader)["sections"]

    hotspots = {(r["street_code"], r["category_code"]) for r in view[Section.HOTSPOTS]["rows"]}
    assert (STREET_B, "010501") in hotspots
    assert (STREET_A, "010101") not in hotspots

    cases = {r["number"]: r for r in view[Section.KEY_CASES]["rows"]}
    assert set(cases) == {urgent.number, sensitive.number, repeated.number, group.demand.number}
    assert cases[urgent.number]["reasons"] == ["urgent"]
    assert cases[sensitive.number]["reasons"] == ["sensitive"]
    assert cases[repeated.number]["reasons"] == ["repeated"]
    assert cases[group.demand.number]["reasons"] == ["group"]
    assert cases[group.demand.number]["complainants"] == 5
    assert cases[urgent.number]["caller"] == "王**"  # masked for the reader
    assert "王小明" not in str(view[Section.KEY_CASES])
    assert "保密" in cases[sensitive.number]["caller"] and "李" not in cases[sensitive.number]["caller"]
    assert cases[urgent.number]["order_number"] == main_order(urgent).number

    alerts = view[Section.ALERTS]["rows"]
    red_on_day = WorkOrder.objects.filter(red_at__gte=moment(DAY, 0), red_at__lt=moment(DAY + dt.timedelta(days=1), 0))
    assert red_on_day.exists()
    assert {r["number"] for r in alerts if r["kind"] == "red"} == set(red_on_day.values_list("number", flat=True))


def test_alerts_list_the_sweeps_urging_and_escalation(reference, leader):
    order = main_order(demand(DAY - dt.timedelta(days=12), category="010101"))
    deadlines_sweep(now=order.deadline + dt.timedelta(minutes=1))
    deadlines_sweep(now=WorkOrder.objects.get(pk=order.pk).escalate_at + dt.timedelta(minutes=1))
    events = WorkOrderEvent.objects.filter(order=order, kind__in=["urged", "supervised"])
    days = {timezone_day(e.at) for e in events}
    rows = []
    for day in days:
        report = build(Kind.DAILY, day=day)
        rows += [r for r in report_view(report, leader)["sections"][Section.ALERTS]["rows"] if r["kind"] != "red"]
    assert sorted(r["kind"] for r in rows) == ["supervised", "urged"]
    assert {r["number"] for r in rows} == {order.number}


def timezone_day(moment_: dt.datetime) -> dt.date:
    return moment_.astimezone(TZ).date()


@pytest.fixture
def scheme(reference):
    Scheme.objects.all().delete()
    return Scheme.objects.create(version=1, valid_from=dt.date(2020, 1, 1), tier_size=2, min_volume=1)


def evaluate(order, contacted, resolution, satisfaction, at):
    return Evaluation.objects.create(
        order=order,
        source="callback",
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        recorded_at=at,
    )


def reply_in_time(order, admin, contacted=True):
    """The unit signs and replies on the day it got the order (well before its deadline)."""
    from dispatch.services import work_order_sign
    from feedback.services import work_order_reply

    at = order.dispatched_at + dt.timedelta(hours=2)
    parts = WorkOrder.objects.filter(demand_id=order.demand_id).order_by("role", "id")  # assisting parts first
    for part in sorted(parts, key=lambda o: o.role == "main"):
        work_order_sign(order=part, by=admin, at=at)
        work_order_reply(
            order=WorkOrder.objects.get(pk=part.pk),
            by=admin,
            at=at + dt.timedelta(hours=1),
            contacted=contacted,
            contacted_at=at if contacted else None,
            contact_method="phone" if contacted else "",
            resolved="resolved",
            reply_to_citizen="已处理。",
            reply_to_hotline="已处理完毕。",
        )


def test_weekly_report(city, scheme, leader, admin_user):
    monday = DAY - dt.timedelta(days=DAY.weekday())
    sunday = monday + dt.timedelta(days=6)
    answers = [(True, "resolved", "satisfied"), (True, "partly", "basically"), (False, "unresolved", "unsatisfied")]
    # Nine orders that fell due before the report is built, replied in time and evaluated.
    due_early = WorkOrder.objects.filter(role="main", deadline__lt=moment(DAY + dt.timedelta(days=2), 0))
    for i, order in enumerate(due_early.order_by("id")[:9]):
        reply_in_time(order, admin_user)
        evaluate(order, *answers[i % 3], at=moment(DAY, 12))
    report = build(Kind.WEEKLY)
    assert (report.period_start, report.period_end) == (monday, sunday)
    view = report_view(report, leader)["sections"]
    assert view[Section.TOTALS]["total"]["value"] == sum(direct(monday, sunday, "channel").values())
    last_week = monday - dt.timedelta(days=7)
    assert view[Section.TOTALS]["total"]["prev"] == sum(
        direct(last_week, last_week + dt.timedelta(days=6), "channel").values()
    )
    # The daily trend has each day's count.
    days = {d["key"]: d["value"] for d in view[Section.TREND]["days"]}
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        assert days.get(day.isoformat(), 0) == sum(direct(day, day, "channel").values())
    # Top 10 categories, largest first.
    top = [c["value"] for c in view[Section.TOP]["categories"]]
    assert top == sorted(top, reverse=True) and top[0] == max(direct(monday, sunday, "category").values())
    # The month so far by district, by the due-month rules: every lead order that fell due in November
    # counts, the evaluated ones with the citizen's answers, the unanswered ones as not contacted.
    # The report is built on 11-23 06:00: the month so far is what fell due by then, the replied and
    # evaluated orders with the citizen's answers, the unanswered ones past their deadline + 1 working day
    # as not contacted; those still within that grace are not settled yet.
    from hotline.core.workdays import WorkCalendar, add_working_days

    assert report.meta["rates_snapshot"]["preview"] is True  # the month is not frozen: a preview
    calendar = WorkCalendar.load()
    rates = {r["code"]: r for r in view[Section.RATES]["rows"]}
    dongcheng = Unit.objects.get(code=DISTRICT)
    evaluated = set(Evaluation.objects.values_list("order_id", flat=True))
    settled = [
        o
        for o in WorkOrder.objects.filter(
            role="main", deadline__gte=moment(dt.date(2026, 11, 1), 0), deadline__lt=AFTER
        ).select_related("unit")
        if o.pk in evaluated or add_working_days(o.deadline, 1, calendar) <= AFTER
    ]
    in_district = [o for o in settled if o.unit.path.startswith(dongcheng.path)]
    contacted = Evaluation.objects.filter(order__in=in_district, contacted=True).count()
    assert 0 < contacted < len(in_district) < len(settled)
    assert rates[DISTRICT]["assessed"] == len(in_district)
    assert rates[DISTRICT]["response_rate"] == (Decimal(100 * contacted) / len(in_district)).quantize(Decimal("0.01"))
    assert view[Section.RATES]["rows"][0]["assessed"] == len(settled)


def test_monthly_report_from_the_snapshot(city, scheme, leader, admin_user):
    from assessment.services import final_snapshot

    orders = list(WorkOrder.objects.filter(role="main").order_by("id"))
    answers = [(True, "resolved", "satisfied"), (True, "resolved", "basically"), (False, "unresolved", "unsatisfied")]
    for i, order in enumerate(orders):
        reply_in_time(order, admin_user)
        evaluate(order, *answers[i % 3], at=moment(DAY, 12))
    november = dt.date(2026, 11, 1)
    # November's settlement window is open until the end of its 3rd working day of December (12-03).
    early = build(Kind.MONTHLY, at=dt.datetime(2026, 12, 1, 6, 0, tzinfo=TZ))
    assert early.status == Status.FAILED and "2026-12-04 00:00" in early.error
    assert final_snapshot(november) is None
    # Once it has closed, the monthly report scores the month itself: scoring waits for no operator.
    report = build(Kind.MONTHLY, at=dt.datetime(2026, 12, 4, 6, 0, tzinfo=TZ))
    snapshot = final_snapshot(november)
    assert (
        report.status == Status.READY and report.revision == 2 and snapshot.as_of == dt.datetime(2026, 12, 4, tzinfo=TZ)
    )
    assert (report.period_start, report.period_end) == (november, dt.date(2026, 11, 30))
    view = report_view(report, leader)["sections"]
    ranking = view[Section.RANKING]
    streets = {r["code"]: r for r in ranking["rows"]}
    for su in snapshot.units.filter(level="street", assessed__gt=0):
        row = streets[su.unit.code]
        assert (row["rank"], row["score"], row["tier"]) == (su.rank, str(su.score), su.tier)
    ranked = sorted((r for r in ranking["rows"] if r["rank"]), key=lambda r: -r["rank"])
    assert [r["code"] for r in ranking["last"]][:1] == [ranked[0]["code"]]
    # By district, from the snapshot's counted orders.
    rates = {r["code"]: r for r in view[Section.RATES]["rows"]}
    dongcheng = Unit.objects.get(code=DISTRICT)
    counted = snapshot.orders.filter(unit__path__startswith=dongcheng.path, counts_response=True)
    assert rates[DISTRICT]["assessed"] == counted.count()
    satisfied = sum(o.satisfaction_score for o in counted)
    assert rates[DISTRICT]["satisfaction_rate"] == (Decimal(satisfied) / counted.count()).quantize(Decimal("0.01"))
    # Twelve months, the last one this month with its demands.
    months = view[Section.YEAR_TREND]["months"]
    assert months[-1]["period"] == "2026-11"
    start, end = builder.bounds(november, dt.date(2026, 11, 30))
    assert months[-1]["demands"] == Demand.objects.filter(received_at__gte=start, received_at__lt=end).count()
    # The items in the rates (assisting parts, 协办, are scored apart and are not among them).
    assert months[-1]["assessed"] == snapshot.orders.filter(counts_response=True).count()


def test_period_not_finished_and_schedule(city, leader):
    from hotline.core.exceptions import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        report_request(kind=Kind.WEEKLY, day=dt.date(2026, 11, 23), at=AFTER)
    assert exc.value.code == "period_not_finished"
    # The 06:00 job builds yesterday, once: a second run that morning (a second beat, a retried task)
    # adds no revision.
    report = report_build_scheduled(Kind.DAILY, at=moment(DAY + dt.timedelta(days=1), 6))
    assert (report.kind, report.period_start, report.status) == ("daily", DAY, Status.READY)
    assert report_build_scheduled(Kind.DAILY, at=moment(DAY + dt.timedelta(days=1), 6, 1)) is None
    assert Report.objects.filter(kind=Kind.DAILY, period_start=DAY).count() == 1
    weekly = report_build_scheduled(Kind.WEEKLY, at=moment(dt.date(2026, 11, 23), 6))
    assert (weekly.period_start, weekly.period_end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))


def test_a_build_that_never_reached_a_worker_is_sent_again(
    city, supervisor, settings, django_capture_on_commit_callbacks
):
    from hotline import celery_app
    from reports.services import REQUEUE_AFTER, report_requeue_stuck

    # The broker is down when the leader asks (a real connection refused, not eager): the request is
    # answered and the revision stays queued.
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app.conf.broker_transport_options = {"max_retries": 0}
    celery_app.conf.task_publish_retry = False
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER)
    finally:
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL
        celery_app.conf.broker_transport_options = {}
        celery_app.conf.task_publish_retry = True
        celery_app._pool = celery_app.amqp._producer_pool = None
        celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)
    assert Report.objects.get(pk=report.pk).status == Status.QUEUED
    # Minutes later the requeue job sends it again (eager here: it is built), and so would asking again.
    assert report_requeue_stuck(at=AFTER + dt.timedelta(seconds=30)) == 0  # not yet: it may be on its way
    assert report_requeue_stuck(at=AFTER + REQUEUE_AFTER) == 1
    assert Report.objects.get(pk=report.pk).status == Status.READY


def test_asking_again_for_a_stuck_build_sends_it_again(city, supervisor, django_capture_on_commit_callbacks):
    from reports.services import REQUEUE_AFTER

    first = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER, enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):
        again = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER + REQUEUE_AFTER)
    assert again.pk == first.pk
    assert Report.objects.get(pk=first.pk).status == Status.READY  # built by the re-sent task (eager)


def test_a_request_while_a_build_is_queued_returns_it(city, supervisor):
    first = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER, enqueue=False)
    again = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER, enqueue=False)
    assert again.pk == first.pk and Report.objects.count() == 1
    # A build lost for over an hour (a worker died) is failed and a new one queued.
    later = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER + dt.timedelta(hours=2), enqueue=False)
    assert later.pk != first.pk and later.revision == 2
    assert Report.objects.get(pk=first.pk).status == Status.FAILED
    # Two workers never build one revision twice.
    assert report_build(later.pk, at=AFTER).status == Status.READY
    assert report_build(later.pk, at=AFTER) is None


def test_a_build_taken_as_lost_does_not_replace_the_newer_revision(city):
    from reports.services import report_save

    old = report_request(kind=Kind.DAILY, day=DAY, at=AFTER, enqueue=False)
    Report.objects.filter(pk=old.pk).update(status=Status.BUILDING)  # a worker took it… and went quiet
    computed = builder.build(old.kind, old.period_start, old.period_end, lambda *a: None)
    new = report_request(kind=Kind.DAILY, day=DAY, at=AFTER + dt.timedelta(hours=2), enqueue=False)
    assert Report.objects.get(pk=old.pk).status == Status.FAILED
    assert report_build(new.pk, at=AFTER).is_current
    # The old worker now reaches its save: nothing is written, the newer revision stays current.
    assert report_save(old, computed, at=AFTER) is False
    assert [(r.revision, r.status, r.is_current) for r in Report.objects.order_by("revision")] == [
        (1, Status.FAILED, False),
        (2, Status.READY, True),
    ]
    assert not old.facts.exists()


def test_every_key_case_is_kept_for_every_district(reference, leader):
    district_leader = UserFactory(username="t_dc_leader", role="leader", unit=Unit.objects.get(code=DISTRICT))
    for hour in range(6, 20):
        demand(DAY, urgency="urgent", category="010303", street=OTHER_DISTRICT_STREET, hour=hour)
    mine = demand(DAY, urgency="urgent", category="010303", street=STREET_A, hour=21)
    report = build(Kind.DAILY)
    cases = report_view(report, district_leader)["sections"][Section.KEY_CASES]
    assert [r["number"] for r in cases["rows"]] == [mine.number] and cases["count"] == 1
    assert report_view(report, leader)["sections"][Section.KEY_CASES]["count"] == 15


def test_the_weekly_trend_has_every_day(reference, leader):
    demand(DAY)
    days = report_view(build(Kind.WEEKLY), leader)["sections"][Section.TREND]["days"]
    assert [d["key"] for d in days] == [(dt.date(2026, 11, 16) + dt.timedelta(days=i)).isoformat() for i in range(7)]
    assert [d["value"] for d in days] == [0, 0, 1, 0, 0, 0, 0]
