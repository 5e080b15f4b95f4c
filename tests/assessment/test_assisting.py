"""协办 accountability (issue 19, point 6): assisting parts have their own (shorter) deadline, their own checks
in the month they fell due, and the lead unit's rating of their cooperation (the street's 评价权); a scheme
weighs them. A department that ignores what it was asked to help with never scores above one that helps,
and one that was asked for nothing neither gains nor loses by it."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from assessment.models import Scheme
from assessment.services import freeze_check, score_month
from dispatch import services as dispatch
from dispatch.models import WorkOrder
from feedback.models import CooperationRating
from feedback.services import callback_record, reply_accept, work_order_reply
from hotline.core.models import Unit
from tests.factories import UserFactory, make_demand

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
CALLED = dt.datetime(2026, 10, 13, 10, 0, tzinfo=TZ)  # a Tuesday
SETTLED = dt.datetime(2026, 11, 5, 0, 0, tzinfo=TZ)
STREET, HELPS, IGNORES, UNASKED = "110101001", "D01", "D03", "D04"
REPLY = {
    "contacted": True,
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "已处理。",
    "reply_to_hotline": "已联系并处理。",
}


@pytest.fixture
def weighted(reference):
    Scheme.objects.all().delete()
    return Scheme.objects.create(
        version=1,
        valid_from=dt.date(2020, 1, 1),
        tier_size=1,
        min_volume=1,
        weight_response=Decimal("0.30"),
        weight_resolution=Decimal("0.30"),
        weight_satisfaction=Decimal("0.30"),
        weight_assist=Decimal("0.10"),
    )


@pytest.fixture
def people(reference, dispatcher, callback_agent):
    return {
        "dispatcher": dispatcher,
        "callback": callback_agent,
        **{
            code: UserFactory(username=f"as_{code}", role="handler", unit=Unit.objects.get(code=code))
            for code in (STREET, HELPS, IGNORES, UNASKED)
        },
    }


def dispatched(people, main, assisting=(), at=CALLED):
    demand = make_demand(category="090501", street=STREET, received_at=at)  # no rule: the dispatcher
    dispatch.demand_dispatch(
        demand=demand,
        main_unit=Unit.objects.get(code=main),
        assisting_units=[Unit.objects.get(code=c) for c in assisting],
        by=people["dispatcher"],
        at=at,
    )
    orders = {o.role: o for o in demand.work_orders.all()}
    return orders["main"], orders.get("assist")


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def answered(people, order, *, at, cooperation=()):
    """Signed, replied, accepted, and the citizen satisfied."""
    handler = people[order.unit.code]
    dispatch.work_order_sign(order=fresh(order), by=handler, at=at - dt.timedelta(hours=2))
    work_order_reply(
        order=fresh(order), by=handler, at=at, contacted_at=at - dt.timedelta(hours=1), cooperation=cooperation, **REPLY
    )
    if order.role == "main":
        reply_accept(order=fresh(order), by=people["dispatcher"], at=at + dt.timedelta(hours=1))
        callback_record(
            order=fresh(order),
            by=people["callback"],
            contacted=True,
            resolution="resolved",
            satisfaction="satisfied",
            at=at + dt.timedelta(hours=3),
        )


@pytest.fixture
def month(weighted, people):
    # Each department leads one order, answered alike (all satisfied).
    for code in (HELPS, IGNORES, UNASKED):
        lead, _none = dispatched(people, code)
        answered(people, lead, at=CALLED + dt.timedelta(days=1))
    # The street leads two matters: 市城市管理委 helps with one, 市交通委 with the other.
    lead_h, helps = dispatched(people, STREET, [HELPS])
    lead_i, ignores = dispatched(people, STREET, [IGNORES])
    assert helps.limit_amount == 5 and helps.deadline < lead_h.deadline  # its own, shorter limit
    answered(people, helps, at=CALLED + dt.timedelta(days=1))  # signed within the hour, replied next day
    answered(people, lead_h, at=CALLED + dt.timedelta(days=2), cooperation=[{"unit": HELPS, "rating": "satisfied"}])
    # 市交通委 never signs nor replies: the street waits for its deadline (day 5), then replies on time.
    after = ignores.deadline + dt.timedelta(hours=1)
    assert after < lead_i.deadline
    answered(people, lead_i, at=after, cooperation=[{"unit": IGNORES, "rating": "unsatisfied", "note": "未到场"}])
    freeze_check(OCTOBER, SETTLED)
    return score_month(OCTOBER, at=SETTLED)


def test_the_assisting_part_counts_each_check_and_the_lead_units_rating(month):
    helps, ignores = month.units.get(unit__code=HELPS), month.units.get(unit__code=IGNORES)
    assert (helps.assist_due, helps.assist_signed, helps.assist_on_time, helps.assist_rating) == (
        1,
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("100.00"),
    )
    assert helps.assist_on_site is None  # not called in by a whistle: no 报到 limit to meet
    assert helps.assist_score == Decimal("100.00")
    assert (ignores.assist_signed, ignores.assist_on_time, ignores.assist_rating, ignores.assist_score) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # The street, the lead, replied on time to both: a department's silence did not make it late.
    street = month.units.get(unit__code=STREET)
    assert street.no_reply == 0 and street.replied_on_time == Decimal("100.00")


def test_ignoring_never_pays_and_being_unasked_neither_costs_nor_pays(month):
    score = {code: month.units.get(unit__code=code).score for code in (HELPS, IGNORES, UNASKED)}
    assert score[HELPS] == score[UNASKED] == Decimal("100.00")
    assert score[IGNORES] == Decimal("90.00")
    assert score[IGNORES] < score[HELPS]


def test_the_rating_shows_on_the_scorecard_and_in_the_api(month, api, supervisor):
    browser = Client()
    browser.force_login(supervisor)
    page = browser.get(f"/assessment/units/{IGNORES}/?period=2026-10").content.decode()
    assert 'id="assist-part"' in page and 'id="assist-rating">0.00<' in page
    items = browser.get(f"/assessment/units/{IGNORES}/?period=2026-10&outcome=assisting").content.decode()
    assert 'data-outcome="assisting"' in items
    rows = api.as_user(supervisor).get("/api/v1/assessment/rankings/?period=2026-10&level=department").json()
    by_unit = {r["unit"]: r for r in rows["results"]}
    assert by_unit[HELPS]["assist_rating"] == "100.00" and by_unit[IGNORES]["assist_score"] == "0.00"


def test_the_lead_rates_only_its_own_assisting_units(api, weighted, people):
    lead, helps = dispatched(people, STREET, [HELPS], at=dt.datetime.now(TZ) - dt.timedelta(hours=3))
    dispatch.work_order_sign(order=fresh(lead), by=people[STREET])
    url = f"/api/v1/work-orders/{lead.pk}/reply/"
    body = {**REPLY, "contacted_at": (dt.datetime.now(TZ) - dt.timedelta(hours=1)).isoformat()}
    client = api.as_user(people[STREET])
    wrong = client.post(url, {**body, "cooperation": [{"unit": IGNORES, "rating": "satisfied"}]}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_cooperation"
    bad = client.post(url, {**body, "cooperation": [{"unit": HELPS, "rating": "great"}]}, format="json")
    assert bad.status_code == 400
    assert fresh(lead).status == "signed" and not CooperationRating.objects.exists()  # nothing half-saved
    # Waiting for 市城市管理委 (its deadline has not come): the reply waits, the rating too.
    assert (
        client.post(url, {**body, "cooperation": [{"unit": HELPS, "rating": "basically"}]}, format="json").status_code
        == 409
    )
    answered(people, helps, at=dt.datetime.now(TZ))
    ok = client.post(
        url, {**body, "cooperation": [{"unit": HELPS, "rating": "basically", "note": "配合较好"}]}, format="json"
    )
    assert ok.status_code == 200, ok.content
    rating = CooperationRating.objects.get(order=helps)
    assert (rating.rating, rating.unit.code, rating.lead_order_id) == ("basically", HELPS, lead.pk)
    # The assisting order's own answer says how it was rated.
    assert (
        api.as_user(people[HELPS]).get(f"/api/v1/work-orders/{helps.pk}/").json()["cooperation"]["rating"]
        == "basically"
    )


def test_the_reply_form_rates_each_assisting_unit(weighted, people):
    now = dt.datetime.now(TZ)
    lead, helps = dispatched(people, STREET, [HELPS], at=now - dt.timedelta(hours=3))
    answered(people, helps, at=now - dt.timedelta(minutes=30))
    dispatch.work_order_sign(order=fresh(lead), by=people[STREET])
    browser = Client()
    browser.force_login(people[STREET])
    page = browser.get(f"/dispatch/orders/{lead.pk}/").content.decode()
    assert f'name="cooperation_{HELPS}"' in page and "市城市管理委" in page
    form = {
        "contacted": "1",
        "contacted_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_method": "phone",
        "resolved": "resolved",
        "reply_to_citizen": "已处理。",
        "reply_to_hotline": "已处理。",
        f"cooperation_{HELPS}": "unsatisfied",
    }
    response = browser.post(f"/dispatch/orders/{lead.pk}/reply/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CooperationRating.objects.get(order=helps).rating == "unsatisfied"
    # The assisting unit sees how it was rated, on its own order.
    dept = Client()
    dept.force_login(people[HELPS])
    assert 'id="order-cooperation"' in dept.get(f"/dispatch/orders/{helps.pk}/").content.decode()


def test_an_assisting_unit_appeals_an_unfair_rating_and_only_the_rating_goes(weighted, people, supervisor):
    """协办配合评价 is the lead unit's word: an assisting unit that helped on time but was rated unsatisfied
    appeals; accepted, the rating no longer counts — the times still do — and it scores as a unit that was
    never rated, never above one that helped and was rated well."""
    from assessment.services import appeal_decide, appeal_submit
    from hotline.core.exceptions import StateConflict

    for code in (HELPS, UNASKED):
        lead, _none = dispatched(people, code)
        answered(people, lead, at=CALLED + dt.timedelta(days=1))
    lead, helps = dispatched(people, STREET, [HELPS])
    answered(people, helps, at=CALLED + dt.timedelta(days=1))
    answered(people, lead, at=CALLED + dt.timedelta(days=2), cooperation=[{"unit": HELPS, "rating": "unsatisfied"}])
    freeze_check(OCTOBER, SETTLED)
    month = score_month(OCTOBER, at=SETTLED)
    before = month.units.get(unit__code=HELPS)
    assert before.assist_rating == Decimal("0.00") and before.score < month.units.get(unit__code=UNASKED).score

    item = month.orders.get(unit__code=HELPS, kind="assist")
    in_window = SETTLED + dt.timedelta(days=1)
    with pytest.raises(StateConflict) as refused:  # the times are facts: only dropping the rating is asked
        appeal_submit(snapshot_order=item, by=people[HELPS], reason="x", outcome="correct", at=in_window)
    assert refused.value.code == "not_appealable"
    page = Client()
    page.force_login(people[HELPS])
    card = page.get(f"/assessment/units/{HELPS}/?period=2026-10&outcome=assisting").content.decode()
    assert f'href="/assessment/items/{item.pk}/appeal/"' in card  # the rated part offers an appeal

    appeal = appeal_submit(
        snapshot_order=item, by=people[HELPS], reason="按时签收并到场，主办单位评价不实", outcome="drop", at=in_window
    )
    assert appeal.status == "forwarded"  # a city department has no district: straight to the city
    revision = appeal_decide(appeal=appeal, by=supervisor, accept=True, note="到场记录属实", at=in_window).revision
    after = revision.units.get(unit__code=HELPS)
    assert after.assist_rated == 0 and after.assist_rating is None
    assert (after.assist_signed, after.assist_on_time) == (before.assist_signed, before.assist_on_time)
    assert after.score == revision.units.get(unit__code=UNASKED).score == Decimal("100.00")
    assert CooperationRating.objects.get(order=helps).rating == "unsatisfied"  # the lead's word stays on record
