"""The time-limit sweep: each step once per order and deadline, on time, stamped with the breach."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from dispatch import services
from dispatch.deadlines import light_of
from dispatch.models import (
    Reminder,
    SupervisionOrder,
    UrgeNotice,
    WorkOrder,
    WorkOrderEvent,
)
from dispatch.sweep import deadlines_sweep
from feedback import services as feedback_services
from tests.factories import main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
DISPATCHED = dt.datetime(2026, 11, 9, 10, 0, tzinfo=BJ)  # a Monday, no holiday within three weeks


def at(month, day, hour=10, minute=1):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BJ)


@pytest.fixture
def order(agent):
    return main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))


def documents(order):
    return (
        Reminder.objects.filter(order=order).count(),
        UrgeNotice.objects.filter(order=order).count(),
        SupervisionOrder.objects.filter(order=order).count(),
    )


def test_the_schedule_of_a_seven_working_day_order(order):
    assert order.limit_label
    assert order.warn_at == dt.datetime(2026, 11, 12, 10, 0, tzinfo=BJ)  # yellow on day 3 of 7
    assert order.red_at == dt.datetime(2026, 11, 16, 10, 0, tzinfo=BJ)  # red on day 5: the system's 督办
    assert order.deadline == dt.datetime(2026, 11, 18, 10, 0, tzinfo=BJ)
    assert order.escalate_at == dt.datetime(2026, 11, 20, 10, 0, tzinfo=BJ)  # 2 working days after
    assert order.next_check_at == order.red_at


def test_day_4_5_deadline_day_8_and_11_each_step_exactly_once(order):
    checkpoints = [
        (at(11, 11), "green", (0, 0, 0)),  # day 2
        (at(11, 13), "yellow", (0, 0, 0)),  # day 4: yellow since day 3, a warning on the queue only
        (at(11, 16), "red", (1, 0, 0)),  # day 5: red, the system's 督办 and the unit leader told (第五天督办)
        (at(11, 18, 9, 0), "red", (1, 0, 0)),  # the deadline day, before the deadline
        (at(11, 19), "overdue", (1, 1, 0)),  # day 8: 催办单
        (at(11, 24), "overdue", (1, 1, 1)),  # day 11: 2 working days after the 催办单 → 督办单
    ]
    for now, light, expected in checkpoints:
        deadlines_sweep(now=now)
        assert documents(order) == expected, now
        deadlines_sweep(now=now)  # a second sweep at the same moment adds nothing
        assert documents(order) == expected, now
        assert light_of(WorkOrder.objects.get(pk=order.pk), now) == light

    events = {e.kind: e.at for e in WorkOrderEvent.objects.filter(order=order)}
    # Stamped with when each breach happened, not when the sweep noticed it.
    assert events["reminded"] == order.red_at
    assert events["urged"] == order.deadline
    assert events["supervised"] == order.escalate_at
    urge = UrgeNotice.objects.get(order=order)
    assert (urge.unit, urge.issued_at, urge.acknowledged_at) == (order.unit, order.deadline, None)
    supervision = SupervisionOrder.objects.get(order=order)
    assert supervision.due_at == dt.datetime(2026, 11, 24, 10, 0, tzinfo=BJ)  # its own deadline
    assert WorkOrder.objects.get(pk=order.pk).next_check_at is None


def test_catching_up_after_downtime_does_every_step_once_in_order(order):
    result = deadlines_sweep(now=at(12, 31))
    # Every step once, in order: the reminder, the 催办单, the 督办单, and the 督办单's own due date, long past.
    assert (result.reminders, result.urges, result.supervisions, result.supervisions_overdue) == (1, 1, 1, 1)
    kinds = list(
        WorkOrderEvent.objects.filter(order=order, kind__in=["reminded", "urged", "supervised", "supervision_overdue"])
        .order_by("at")
        .values_list("kind", flat=True)
    )
    assert kinds == ["reminded", "urged", "supervised", "supervision_overdue"]
    assert deadlines_sweep(now=at(12, 31)).steps == 0


def test_a_reply_stops_the_sweep(order, handler_a):
    services.work_order_sign(order=order, by=handler_a, at=at(11, 10))
    feedback_services.work_order_reply(
        order=order,
        by=handler_a,
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理",
        reply_to_hotline="已联系",
        at=at(11, 17),
    )
    deadlines_sweep(now=at(12, 31))
    assert documents(order) == (0, 0, 0)


def test_an_approved_extension_starts_the_steps_afresh_for_the_new_deadline(order, handler_a, dispatcher):
    deadlines_sweep(now=at(11, 16))  # reminder for the first deadline
    services.work_order_request_extension(order=order, by=handler_a, days=5, reason="需协调", at=at(11, 17))
    order = services.work_order_decide_extension(order=order, by=dispatcher, approve=True, at=at(11, 17, 11))
    assert order.deadline == dt.datetime(2026, 11, 25, 10, 0, tzinfo=BJ)
    deadlines_sweep(now=at(11, 19))  # past the old deadline: no 催办单 any more
    assert documents(order) == (1, 0, 0)
    deadlines_sweep(now=at(11, 26))
    assert documents(order) == (2, 1, 0)  # one reminder and one 催办单 for the new deadline


def test_a_urge_notice_is_acknowledged_once(order, handler_a, api):
    deadlines_sweep(now=at(11, 19))
    api.as_user(handler_a)
    assert api.post(f"/api/v1/work-orders/{order.pk}/acknowledge-urge/").status_code == 200
    assert UrgeNotice.objects.get(order=order).acknowledged_by == handler_a
    assert api.post(f"/api/v1/work-orders/{order.pk}/acknowledge-urge/").status_code == 409


def test_the_sweep_command_takes_an_as_of_time(order):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sweepdeadlines", "--at", "2026-11-19T10:01:00+08:00", stdout=out)
    assert "1 reminders, 1 催办单, 0 督办单" in out.getvalue()


def bulk_overdue_orders(count, agent):
    """`count` open orders past their deadline, inserted in bulk (dispatched is the initial state)."""
    demand = make_demand(category="090501", received_at=DISPATCHED, by=agent)  # no rule: no order of its own
    template = main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))
    WorkOrder.objects.bulk_create(
        [
            WorkOrder(
                number=f"{demand.number}-{i}",
                demand=demand,
                unit_id=template.unit_id,
                dispatched_at=template.dispatched_at,
                warn_at=template.warn_at,
                red_at=template.red_at,
                deadline=template.deadline,
                escalate_at=template.escalate_at,
                next_check_at=template.red_at,
                policy_id=template.policy_id,
            )
            for i in range(1, count)
        ],
        batch_size=1000,
    )
    return WorkOrder.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_create_no_duplicates(reference, agent):
    total = bulk_overdue_orders(3000, agent)
    assert total == 3000
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(deadlines_sweep(now=at(11, 24), batch_size=500))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Reminder.objects.count() == UrgeNotice.objects.count() == SupervisionOrder.objects.count() == 3000
    # The 督办单 whose own due date had passed too were escalated, each once, by one of the two sweeps.
    overdue = SupervisionOrder.objects.filter(overdue_at__isnull=False).count()
    assert sum(r.steps for r in results) == 9000 + overdue
    assert WorkOrderEvent.objects.filter(kind__in=["reminded", "urged", "supervised"]).count() == 9000
    assert WorkOrderEvent.objects.filter(kind="supervision_overdue").count() == overdue
    assert deadlines_sweep(now=at(11, 24)).steps == 0


def test_a_slow_batch_makes_the_next_ones_smaller_and_every_order_is_still_swept(reference, agent, monkeypatch):
    """On a busy machine a batch holds its row locks longer: the sweep halves its batches while they
    take more than LOCK_TARGET, so no batch holds its locks much beyond it."""
    import dispatch.sweep as sweep

    total = bulk_overdue_orders(40, agent)
    monkeypatch.setattr(sweep, "LOCK_TARGET", 0.0)  # every batch counts as slow
    monkeypatch.setattr(sweep, "MIN_BATCH_SIZE", 5)
    result = deadlines_sweep(now=at(11, 24), batch_size=20)
    # 20, then 10, then 5 a batch: all 40 orders reminded, urged and supervised, each once.
    assert result.smallest_batch == 5 and result.batches > 3
    assert Reminder.objects.count() == UrgeNotice.objects.count() == SupervisionOrder.objects.count() == total
    assert deadlines_sweep(now=at(11, 24)).steps == 0
