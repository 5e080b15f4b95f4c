"""包点 supervisors (issue 19, point 3): each street has at most one supervisor; that supervisor's page puts
their streets' red lights, 督办单 and 批示 first, and the street's alarms reach them by name."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from assessment.instructions import instruction_issue
from dispatch.models import SupervisionOrder
from dispatch.sweep import deadlines_sweep
from hotline.core.models import Notification, StreetAssignment, Unit
from tests.factories import UserFactory, main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
DISPATCHED = dt.datetime(2026, 11, 9, 10, 0, tzinfo=BJ)  # a Monday: red on the 16th, 督办单 on the 20th


@pytest.fixture
def streets(reference):
    return Unit.objects.get(code="110101001"), Unit.objects.get(code="110101002")


def assign(street, supervisor):
    assignment = StreetAssignment(street=street, supervisor=supervisor)
    assignment.full_clean()
    assignment.save()
    return assignment


def page(user, query=""):
    client = Client()
    client.force_login(user)
    return client.get(f"/dispatch/supervision/{query}")


def test_one_supervisor_per_street_from_the_streets_own_area(reference, supervisor, streets):
    mine, _other = streets
    assign(mine, supervisor)
    second = UserFactory(username="t_sup2", role="supervisor", unit=Unit.objects.get(code="12345"))
    with pytest.raises(ValidationError) as taken:
        StreetAssignment(street=mine, supervisor=second).full_clean()
    assert "street" in taken.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        StreetAssignment.objects.create(street=mine, supervisor=second)
    # A district's supervisor takes only the district's streets; nobody but a supervisor takes one.
    chaoyang = UserFactory(username="t_sup_cy", role="supervisor", unit=Unit.objects.get(code="110105"))
    outside_street = Unit.objects.get(code="110101003")
    with pytest.raises(ValidationError) as outside:
        StreetAssignment(street=outside_street, supervisor=chaoyang).full_clean()
    assert outside_street.name in str(outside.value.message_dict["supervisor"])
    handler = UserFactory(username="t_h_cy", role="handler", unit=Unit.objects.get(code="110105"))
    with pytest.raises(ValidationError):
        StreetAssignment(street=Unit.objects.get(code="110105001"), supervisor=handler).full_clean()
    with pytest.raises(ValidationError):  # a district is no street
        StreetAssignment(street=Unit.objects.get(code="110105"), supervisor=chaoyang).full_clean()
    assign(Unit.objects.get(code="110105001"), chaoyang)


def test_the_streets_supervisor_is_told_by_name_and_the_other_city_supervisors_are_not(
    reference, supervisor, agent, streets
):
    mine, _other = streets
    UserFactory(username="t_sup_other", role="supervisor", unit=Unit.objects.get(code="12345"))
    UserFactory(username="t_sup_dc", role="supervisor", unit=Unit.objects.get(code="110101"))
    assign(mine, supervisor)
    order = main_order(make_demand(received_at=DISPATCHED, by=agent))  # to 110101001, the assigned street
    for day in (16, 19, 20, 25):  # the reminder, the 催办单, the 督办单, and that 督办单 overdue (通报)
        deadlines_sweep(now=dt.datetime(2026, 11, day, 10, 1, tzinfo=BJ))
    assert SupervisionOrder.objects.get(order=order).overdue_at
    told = set(Notification.objects.filter(kind="supervision_overdue").values_list("user__username", flat=True))
    assert {"t_supervisor", "t_sup_dc"} <= told and "t_sup_other" not in told

    # A street nobody answers for still reaches every city supervisor.
    StreetAssignment.objects.all().delete()
    Notification.objects.all().delete()
    other = main_order(make_demand(received_at=DISPATCHED, by=agent, phone="13900000001"))
    SupervisionOrder.objects.all().delete()
    for day in (16, 19, 20, 25):
        deadlines_sweep(now=dt.datetime(2026, 11, day, 10, 1, tzinfo=BJ))
    assert SupervisionOrder.objects.get(order=other).overdue_at
    told = set(Notification.objects.filter(kind="supervision_overdue").values_list("user__username", flat=True))
    assert {"t_supervisor", "t_sup_other", "t_sup_dc"} <= told


def test_the_supervisors_page_shows_their_streets_first(reference, supervisor, agent, leader, streets):
    mine, other = streets
    assign(mine, supervisor)
    now = timezone.now()
    # One overdue order in each street, and the 批示 of a leader to the supervisor's street.
    late = now - dt.timedelta(days=15)
    mine_order = main_order(make_demand(received_at=late, by=agent))
    other_order = main_order(
        make_demand(received_at=late - dt.timedelta(days=1), by=agent, street="110101002", phone="13900000002")
    )
    assert (mine_order.unit, other_order.unit) == (mine, other)
    instruction_issue(leader=leader, text="请尽快解决占道经营问题", order=mine_order)

    body = page(supervisor).content.decode()
    assert 'id="my-streets"' in body
    board = body.split('id="my-streets"')[1].split("</table>")[0]
    row = board.split(f'data-street="{mine.code}"')[1].split("</tr>")[0]
    assert 'data-figure="overdue"' in row and f"?street={mine.pk}#overdue" in row
    figures = {key: row.split(f'data-figure="{key}">')[1].split("</td>")[0] for key in ("overdue", "instructions")}
    assert ">1</a>" in figures["overdue"] and ">1</a>" in figures["instructions"]
    assert f'data-street="{other.code}"' not in board  # only their own streets
    # The overdue list has the supervisor's street first, though the other order is older.
    overdue = body.split('id="overdue"')[1]
    assert overdue.index(mine_order.number) < overdue.index(other_order.number)

    # A number opens what it counts: one street only.
    narrowed = page(supervisor, f"?street={other.pk}").content.decode()
    assert other_order.number in narrowed and mine_order.number not in narrowed
    hops = Client()
    hops.force_login(supervisor)
    listed = hops.get(f"/assessment/instructions/?state=open&street={mine.pk}").content.decode()
    assert "请尽快解决占道经营问题" in listed
    assert "请尽快解决" not in hops.get(f"/assessment/instructions/?street={other.pk}").content.decode()

    # A supervisor without streets sees the lists, and no board.
    colleague = UserFactory(username="t_sup_free", role="supervisor", unit=Unit.objects.get(code="12345"))
    free = page(colleague).content.decode()
    assert 'id="my-streets"' not in free and mine_order.number in free


def test_a_street_the_user_cannot_see_does_not_narrow_or_leak(reference, streets, agent):
    mine, _other = streets
    chaoyang = UserFactory(username="t_sup_cy2", role="supervisor", unit=Unit.objects.get(code="110105"))
    main_order(make_demand(received_at=timezone.now() - dt.timedelta(days=15), by=agent))
    response = page(chaoyang, f"?street={mine.pk}")
    assert response.status_code == 200 and 'id="street-filter"' not in response.content.decode()
    assert page(chaoyang, "?street=abc").status_code == 200
