import datetime as dt
from zoneinfo import ZoneInfo

from dispatch.choices import LimitUnit
from dispatch.deadlines import Limit, schedule_for
from hotline.core.workdays import WorkCalendar
from tests.factories import main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")


def test_a_working_day_deadline_skips_the_national_day_week(agent):
    demand = make_demand(category="010101", received_at=dt.datetime(2025, 9, 29, 10, 0, tzinfo=BJ), by=agent)
    order = main_order(demand)
    # 30 Sep, then 1–8 Oct are holidays; 9, 10, 11 (调休 Saturday), 13, 14, 15 Oct.
    assert order.deadline == dt.datetime(2025, 10, 15, 10, 0, tzinfo=BJ)
    assert order.warn_at == dt.datetime(2025, 10, 10, 10, 0, tzinfo=BJ)  # yellow on day 3 of 7
    # 第五天系统自动督办，亮红灯: red on day 5, when the sweep's 督办 and the leader's notice come.
    assert order.red_at == order.next_check_at == dt.datetime(2025, 10, 13, 10, 0, tzinfo=BJ)
    assert order.escalate_at == dt.datetime(2025, 10, 17, 10, 0, tzinfo=BJ)


def test_hours_and_natural_day_limits(reference):
    calendar = WorkCalendar.load()
    start = dt.datetime(2025, 9, 30, 22, 0, tzinfo=BJ)
    hours = schedule_for(
        start=start,
        limit=Limit(24, LimitUnit.HOURS),
        warn_share=0.5,
        red_share=0.75,
        supervise_after_working_days=2,
        calendar=calendar,
    )
    assert hours.deadline == dt.datetime(2025, 10, 1, 22, 0, tzinfo=BJ)
    assert hours.warn_at == dt.datetime(2025, 10, 1, 10, 0, tzinfo=BJ)
    assert hours.red_at == dt.datetime(2025, 10, 1, 16, 0, tzinfo=BJ)  # three quarters of the 24 hours
    natural = schedule_for(
        start=start,
        limit=Limit(3, LimitUnit.NATURAL_DAYS),
        warn_share=0.429,
        red_share=0.714,
        supervise_after_working_days=2,
        calendar=calendar,
    )
    assert natural.deadline == dt.datetime(2025, 10, 3, 22, 0, tzinfo=BJ)  # holidays count as days
    assert natural.warn_at == dt.datetime(2025, 10, 1, 22, 0, tzinfo=BJ)  # round(0.429 × 3) = 1 day
    assert natural.red_at == dt.datetime(2025, 10, 2, 22, 0, tzinfo=BJ)  # round(0.714 × 3) = 2 days
    # 督办 counts working days from a holiday: from 00:00 of 9 Oct (the first workday), two working
    # days end at 00:00 of Saturday 11 Oct, itself a 调休 workday.
    assert natural.escalate_at == dt.datetime(2025, 10, 11, 0, 0, tzinfo=BJ)


def test_a_complex_demand_gets_fifteen_working_days(agent, dispatcher):
    from dispatch.services import demand_dispatch
    from hotline.core.models import Unit

    demand = make_demand(category="090501", received_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=BJ), by=agent)
    [order] = demand_dispatch(
        demand=demand,
        main_unit=Unit.objects.get(code="E07"),
        complexity="complex",
        by=dispatcher,
        at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=BJ),
    )
    assert order.deadline == dt.datetime(2026, 11, 23, 9, 0, tzinfo=BJ)


def test_a_single_unit_consultation_gets_three_working_days(agent):
    demand = make_demand(
        category="050101",
        demand_type="consult",
        street="110108001",
        received_at=dt.datetime(2026, 11, 6, 15, 0, tzinfo=BJ),
        by=agent,
    )
    assert main_order(demand).deadline == dt.datetime(2026, 11, 11, 15, 0, tzinfo=BJ)


def test_a_deadline_at_midnight_is_red_the_whole_day_before(reference):
    calendar = WorkCalendar.load()
    # Received on a Saturday: counting starts Monday 00:00, so the deadline falls at 00:00.
    start = dt.datetime(2025, 6, 7, 10, 0, tzinfo=BJ)
    schedule = schedule_for(
        start=start,
        limit=Limit(7, LimitUnit.WORKING_DAYS),
        warn_share=0.429,
        red_share=0.9,  # a policy that would turn red on the last day
        supervise_after_working_days=2,
        calendar=calendar,
    )
    assert schedule.deadline == dt.datetime(2025, 6, 18, 0, 0, tzinfo=BJ)
    assert schedule.red_at == dt.datetime(2025, 6, 17, 0, 0, tzinfo=BJ)  # the whole last day is red


def test_the_light_is_the_same_in_python_in_a_filter_and_in_a_count(agent):
    """One rule (deadlines.LIGHTS) read three ways: the order page's badge (light_of), the queue's filter
    (light_q) and the dashboard's counts (light_case) give every open order the same light at every moment."""
    import datetime as dt

    from dispatch.choices import Light
    from dispatch.deadlines import light_of
    from dispatch.models import WorkOrder
    from dispatch.selectors import light_case, light_q
    from tests.factories import main_order, make_demand

    order = main_order(make_demand(by=agent))
    moments = [order.warn_at, order.red_at, order.deadline]
    probes = [m + dt.timedelta(seconds=s) for m in moments for s in (-1, 0, 1)] + [order.dispatched_at]
    seen = set()
    for now in probes:
        expected = light_of(order, now)
        by_filter = [
            light for light in Light.values if WorkOrder.objects.filter(light_q(light, now), pk=order.pk).exists()
        ]
        by_count = WorkOrder.objects.filter(pk=order.pk).annotate(light=light_case(now)).values_list("light", flat=True)
        assert by_filter == [expected] and list(by_count) == [expected], now
        seen.add(expected)
    assert seen == {Light.GREEN, Light.YELLOW, Light.RED, Light.OVERDUE}


def test_each_step_of_the_ladder_is_next_once():
    """The escalation ladder (deadlines.LADDER): after the reminder the 催办单 at the deadline, then the 督办单;
    nothing after it; the sweep's claim stores the same next moment in SQL."""
    from types import SimpleNamespace

    from dispatch.choices import Stage
    from dispatch.deadlines import next_moment, next_moment_sql

    moments = SimpleNamespace(warn_at=0, red_at=1, deadline=2, escalate_at=3)
    assert [next_moment(stage, moments) for stage in Stage.values] == [1, 2, 3, None]
    assert next_moment_sql("w") == "CASE w.stage WHEN 0 THEN w.deadline WHEN 1 THEN w.escalate_at ELSE NULL END"


def test_urgent_and_enterprise_demands_get_their_own_limits(agent):
    """紧急诉求 are handled within 24 hours, not 7 working days; the enterprise line (企业服务专席) has its own
    limits by matter type (a request for help: 3 working days where an ordinary one has 7)."""
    received = dt.datetime(2026, 11, 6, 15, 0, tzinfo=BJ)  # a Friday
    urgent = main_order(make_demand(category="010101", urgency="urgent", received_at=received, by=agent))
    assert urgent.deadline == received + dt.timedelta(hours=24) and urgent.limit_unit == "hours"
    enterprise = main_order(
        make_demand(category="010101", demand_type="help", received_at=received, by=agent, channel="enterprise")
    )
    ordinary = main_order(make_demand(category="010101", demand_type="help", received_at=received, by=agent))
    assert enterprise.deadline == dt.datetime(2026, 11, 11, 15, 0, tzinfo=BJ)  # 3 working days
    assert ordinary.deadline == dt.datetime(2026, 11, 17, 15, 0, tzinfo=BJ)  # 7 working days
