"""Next year's calendar (issue 22, point 19): from 1 November administrators and supervisors are told
until next year's holidays are loaded; an administrator pastes the State Council's notice, sees every day
it changes and the deadlines it moves, and applies it — each moved deadline is an event on its order."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dispatch.choices import EventKind
from hotline.core.calendar_notice import parse_notice
from hotline.core.models import CalendarDay, CalendarYear
from tests.factories import main_order, make_demand

BEIJING = ZoneInfo("Asia/Shanghai")
NOTICE = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（周六）至13日（周六）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、国庆节、中秋节：10月1日至7日放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_notice_is_read_as_published():
    notice = parse_notice(NOTICE + "2027-05-03,holiday,劳动节\n2027-13-40 上班\n2027-02-30,holiday,x\n", 2027)
    days = notice.days
    assert days[dt.date(2027, 1, 1)] == ("holiday", "元旦") and days[dt.date(2027, 1, 3)][0] == "holiday"
    assert days[dt.date(2027, 2, 14)] == ("workday", "春节") and days[dt.date(2027, 2, 20)][0] == "workday"
    assert all(days[dt.date(2027, 2, d)][0] == "holiday" for d in range(6, 14))
    assert days[dt.date(2027, 10, 9)] == ("workday", "国庆节、中秋节")
    assert days[dt.date(2027, 5, 3)] == ("holiday", "劳动节")
    assert notice.problems == ["2027-13-40 上班", "2027-02-30,holiday,x"]  # said, not guessed


def test_a_banner_from_november_until_the_year_is_loaded(reference, admin_user, supervisor, agent, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, tzinfo=BEIJING), tick=False)
    cache.clear()
    CalendarYear.objects.filter(year=2027).delete()
    assert 'id="calendar-missing"' in browser(admin_user).get("/system/").content.decode()
    assert 'id="calendar-missing"' in browser(supervisor).get("/dispatch/supervision/").content.decode()
    assert 'id="calendar-missing"' not in browser(agent).get("/dispatch/desk/").content.decode()
    time_machine.move_to(dt.datetime(2026, 10, 30, 9, tzinfo=BEIJING), tick=False)
    cache.clear()
    assert 'id="calendar-missing"' not in browser(admin_user).get("/system/").content.decode()


def test_applying_the_notice_moves_the_deadlines_it_changes(
    reference, admin_user, agent, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2026, 12, 28, 10, tzinfo=BEIJING), tick=False)
    cache.clear()
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    order = main_order(make_demand(by=agent))  # 7 working days from Monday 28 December
    before = order.deadline
    client = browser(admin_user)

    preview = client.post("/dispatch/calendar/", {"year": "2027", "text": NOTICE, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'data-day="2027-01-01"' in html and 'data-day="2027-02-14"' in html
    assert order.number in html
    order.refresh_from_db()
    assert order.deadline == before and not CalendarYear.objects.filter(year=2027).exists()  # nothing saved yet

    # A worker applies it (eager in unit tests); the page follows its progress.
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post("/dispatch/calendar/", {"year": "2027", "text": NOTICE, "action": "apply"})
    assert applied.status_code == 302
    assert 'id="calendar-application-done"' in client.get("/dispatch/calendar/").content.decode()
    assert CalendarYear.objects.filter(year=2027).exists()
    order.refresh_from_db()
    # 1 January 2027 (a Friday) is now a holiday: the seventh working day comes one working day later.
    assert order.deadline > before
    event = order.events.get(kind=EventKind.DEADLINE_MOVED)
    assert event.by == admin_user and "→" in event.note
    cache.clear()
    assert 'id="calendar-missing"' not in client.get("/system/").content.decode()


def test_a_notice_with_no_date_of_the_year_is_refused_and_kept(reference, admin_user):
    response = browser(admin_user).post(
        "/dispatch/calendar/", {"year": "2027", "text": "放假安排另行通知", "action": "preview"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "放假安排另行通知" in html
    assert not CalendarYear.objects.filter(year=2027, source__startswith="notice").exists()


def test_asides_in_brackets_do_not_cut_a_range_and_a_wrong_count_is_said():
    text = (
        "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。\n"
        "四、国庆节：10月1日至7日放假调休，共6天。\n"
    )
    notice = parse_notice(text, 2025)
    spring = sorted(d for d, (k, _n) in notice.days.items() if k == "holiday")
    assert spring[0] == dt.date(2025, 1, 28) and spring[-1] == dt.date(2025, 2, 4) and len(spring) == 8
    assert notice.problems == ["四、国庆节：10月1日至7日放假调休，共6天。"]  # 7 days read, 6 said: not stored


def test_one_application_at_a_time_and_a_lost_one_does_not_block(reference, admin_user):
    from dispatch.calendar import calendar_application_request, calendar_application_run
    from dispatch.models import CalendarApplication
    from hotline.core.exceptions import StateConflict

    first = calendar_application_request(year=2027, text=NOTICE, by=admin_user)  # queued, no worker yet
    with pytest.raises(StateConflict) as busy:
        calendar_application_request(year=2027, text=NOTICE, by=admin_user)
    assert busy.value.code == "calendar_busy"
    page = browser(admin_user).post("/dispatch/calendar/", {"year": "2027", "text": NOTICE, "action": "apply"})
    assert page.status_code == 409 and NOTICE.splitlines()[1] in page.content.decode()  # said, and kept
    # Running is busy too (queued and running share one key).
    CalendarApplication.objects.filter(pk=first.pk).update(status="running", heartbeat_at=timezone.now())
    with pytest.raises(StateConflict):
        calendar_application_request(year=2027, text=NOTICE, by=admin_user)
    # Its worker was lost: no batch for 10 minutes. The page says so, and it no longer blocks the next one.
    CalendarApplication.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=11))
    assert 'id="calendar-application-stalled"' in browser(admin_user).get("/dispatch/calendar/").content.decode()
    second = calendar_application_request(year=2027, text=NOTICE, by=admin_user)
    first.refresh_from_db()
    assert first.status == "failed" and first.error and second.status == "queued"
    assert calendar_application_run(first.pk) is None  # a late delivery of the lost one runs nothing


def test_an_application_the_broker_did_not_take_is_sent_again(reference, admin_user):
    from dispatch.calendar import calendar_application_request
    from dispatch.models import CalendarApplication
    from dispatch.tasks import requeue_calendar

    waiting = calendar_application_request(year=2027, text=NOTICE, by=admin_user)  # never sent
    assert requeue_calendar() == 0  # just asked for: the first send may be on its way
    CalendarApplication.objects.filter(pk=waiting.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=6))
    assert requeue_calendar() == 1
    waiting.refresh_from_db()
    assert waiting.status == "done" and CalendarYear.objects.filter(year=2027).exists()


def test_an_interrupted_application_is_finished_by_applying_again(reference, admin_user, agent, monkeypatch):
    from dispatch import calendar as calendar_module
    from dispatch.calendar import calendar_application_request, calendar_application_run

    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    start = dt.datetime(2026, 12, 28, 10, tzinfo=BEIJING)
    orders = [main_order(make_demand(by=agent, received_at=start)) for _ in range(3)]
    monkeypatch.setattr(calendar_module, "APPLY_BATCH", 1)

    def stop(done, total):
        raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        calendar_module.calendar_apply(year=2027, text=NOTICE, by=admin_user, progress=stop)
    moved_once = [o for o in orders if o.events.filter(kind=EventKind.DEADLINE_MOVED).exists()]
    assert len(moved_once) == 1  # the first batch is kept; the others wait

    application = calendar_application_run(calendar_application_request(year=2027, text=NOTICE, by=admin_user).pk)
    assert application.status == "done" and application.moved == 2  # what was left, nothing twice
    for order in orders:
        assert order.events.filter(kind=EventKind.DEADLINE_MOVED).count() == 1

    # A policy edited since: applying the same notice again moves nothing the calendar did not move.
    from dispatch.models import TimeLimitPolicy

    TimeLimitPolicy.objects.filter(pk=orders[0].policy_id).update(warn_share="0.5")
    again = calendar_application_run(calendar_application_request(year=2027, text=NOTICE, by=admin_user).pk)
    assert again.status == "done" and again.total == 0
    assert sum(o.events.filter(kind=EventKind.DEADLINE_MOVED).count() for o in orders) == 3
