"""Intake through the API: dispositions, caller history, duplicates and merge, idempotent
submission, masking."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch.models import WorkOrder
from dispatch.selectors import duplicate_candidates
from dispatch.services import demand_take
from hotline.core.models import Category
from intake.models import Demand
from intake.services import normalise_phone
from knowledge_base.models import Article
from tests.factories import main_order, make_demand

BODY = {
    "channel": "phone",
    "demand_type": "complaint",
    "category": "010101",
    "content": "南池子大街有人占道经营，堵住了人行道。",
    "caller_name": "李红",
    "caller_phone": "139 1111 2222",
    "address": "北京市东城区东华门街道南池子大街8号",
}


def post(client, body, **headers):
    return client.post("/api/v1/demands/", body, format="json", **headers)


def test_routed_demand_resolves_its_street_from_the_address_and_is_dispatched(api, agent):
    response = post(api.as_user(agent), BODY)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["street"] == "110101001" and data["district"] == "110101"
    assert data["disposition"] == "dispatched"
    assert data["work_orders"][0]["unit"] == "110101001"
    # Masked in the response, normalised in storage (so lookups by phone work).
    assert data["caller_phone"] == "139****2222"
    assert Demand.objects.get(pk=data["id"]).caller_phone == "13911112222"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("010-6512 3456", "01065123456"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_normalised_so_history_matches_across_channels(raw, stored):
    assert normalise_phone(raw) == stored


def test_consultation_answered_on_the_call_records_the_article_and_counts_its_use(api, agent):
    article = Article.objects.filter(status="published").first()
    body = {
        **BODY,
        "demand_type": "consult",
        "category": "060101",
        "content": "灵活就业怎么交社保？",
        "answer_article": article.pk,
    }
    response = post(api.as_user(agent), body)
    assert response.status_code == 201
    data = response.json()
    assert data["disposition"] == "answered"
    assert data["answer_article"] == article.pk
    assert data["work_order"] is None and data["work_orders"] == []
    article.refresh_from_db()
    assert article.answered_count == 1


def test_only_a_consultation_can_be_answered_on_the_call(api, agent):
    response = post(api.as_user(agent), {**BODY, "disposition": "answered"})
    assert response.status_code == 400
    assert response.json()["code"] == "answer_requires_consultation"
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    "reason",
    ["police_110", "fire_119", "medical_120", "traffic_122", "litigation", "arbitration", "petition", "discipline"],
)
def test_refused_or_transferred_demand_says_what_to_tell_the_caller_and_dispatches_nothing(api, agent, reason):
    response = post(api.as_user(agent), {**BODY, "refusal_reason": reason})
    assert response.status_code == 201
    data = response.json()
    assert data["disposition"] == "refused" and data["refusal_reason"] == reason
    assert data["refusal_script"]
    assert not WorkOrder.objects.exists()


def test_unresolvable_ownership_waits_for_a_dispatcher(api, agent):
    response = post(api.as_user(agent), {**BODY, "category": "090501", "address": "某个地方"})
    data = response.json()
    assert data["disposition"] == "pending_dispatch" and data["dispatch_due_at"]
    assert data["work_order"] is None


def test_caller_history_spans_channels_newest_first(reference, agent):
    first = make_demand(phone="13900001111", by=agent)
    web = demand_take(
        channel="web",
        demand_type="help",
        category=Category.objects.get(code="020101"),
        content="家里暖气不热",
        caller_phone="139-0000-1111",
        address="东城区景山街道",
    )
    from dispatch.selectors import caller_history

    history = caller_history("13900001111")
    assert [d.pk for d in history] == [web.pk, first.pk]
    assert {d.channel for d in history} == {"phone", "web"}


def test_duplicates_same_caller_and_same_street_and_category_with_similar_content(reference, agent):
    from django.utils import timezone

    original = make_demand(phone="13700002222", content="南池子大街8号门口有人占道经营卖水果", by=agent)
    order = main_order(original)
    now = timezone.now()
    same_caller = duplicate_candidates(phone="13700002222", now=now)
    assert [d.order.pk for d in same_caller] == [order.pk]
    assert same_caller[0].reason == "same_caller"
    same_place = duplicate_candidates(
        phone="13600000000",
        street=original.street,
        category=original.category,
        content="南池子大街8号门口占道经营卖水果的又来了",
        now=now,
    )
    assert [d.order.pk for d in same_place] == [order.pk] and same_place[0].reason == "same_place"
    unrelated = duplicate_candidates(
        phone="13600000000", street=original.street, category=original.category, content="楼下餐馆油烟很大", now=now
    )
    assert unrelated == []
    # Outside the windows: 31 days for the caller, 8 days for the place.
    later = now + timezone.timedelta(days=31)
    assert duplicate_candidates(phone="13700002222", now=later) == []
    assert (
        duplicate_candidates(
            street=original.street,
            category=original.category,
            content=original.content,
            now=now + timezone.timedelta(days=8),
        )
        == []
    )


def test_merge_adds_a_complainant_and_dispatches_nothing(api, agent):
    original = make_demand(by=agent)
    order = main_order(original)
    orders_before = WorkOrder.objects.count()
    response = post(api.as_user(agent), {**BODY, "caller_phone": "13500003333", "merge_into": order.pk})
    assert response.status_code == 201
    data = response.json()
    assert data["disposition"] == "merged" and data["merged_into"] == order.pk
    assert WorkOrder.objects.count() == orders_before
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.complainant_count == 2
    assert order.events.filter(kind="merged").count() == 1


def test_merge_into_a_replied_order_is_refused_with_a_reason(api, agent, handler_a):
    from dispatch.services import work_order_sign
    from feedback.services import work_order_reply

    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    work_order_reply(
        order=order,
        by=handler_a,
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已清理",
        reply_to_hotline="已联系诉求人",
    )
    response = post(api.as_user(agent), {**BODY, "merge_into": order.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "merge_target_closed"
    assert Demand.objects.count() == 1


def test_same_idempotency_key_returns_the_first_demand_and_another_body_conflicts(api, agent):
    client = api.as_user(agent)
    first = post(client, BODY, HTTP_IDEMPOTENCY_KEY="call-42")
    again = post(client, BODY, HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    other = post(client, {**BODY, "content": "另一件事"}, HTTP_IDEMPOTENCY_KEY="call-42")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert Demand.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_with_one_key_create_one_demand(reference, agent):
    token = Token.objects.create(user=agent).key
    barrier = threading.Barrier(10)
    results, lock = [], threading.Lock()

    def submit():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait()
            response = post(client, BODY, HTTP_IDEMPOTENCY_KEY="double-click-7")
            with lock:
                results.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Demand.objects.count() == 1
    assert WorkOrder.objects.count() == 1
    assert {status for status, _ in results} == {201}
    assert {pk for _, pk in results} == {Demand.objects.get().pk}


def test_demand_detail_masks_the_caller_for_every_reader(api, agent, handler_a):
    demand = make_demand(phone="13812345678", name="王小明", by=agent)
    for user in (agent, handler_a):
        data = api.as_user(user).get(f"/api/v1/demands/{demand.pk}/").json()
        assert data["caller_phone"] == "138****5678" and data["caller_name"] == "王**"
        assert "13812345678" not in str(data)


def test_confidential_caller_is_hidden_from_the_handling_unit(api, agent, handler_a):
    demand = make_demand(confidential=True, by=agent)
    data = api.as_user(handler_a).get(f"/api/v1/demands/{demand.pk}/").json()
    assert data["caller_phone"] == "" and data["caller_name"] == "" and data["confidential"] is True


def test_work_order_list_and_detail_mask_the_caller(api, agent, handler_a):
    order = main_order(make_demand(phone="13812345678", by=agent))
    client = api.as_user(handler_a)
    listing = client.get("/api/v1/work-orders/")
    detail = client.get(f"/api/v1/work-orders/{order.pk}/")
    for response in (listing, detail):
        assert response.status_code == 200
        assert "13812345678" not in response.content.decode()
        assert "138****5678" in response.content.decode()
    assert detail.json()["complainant_count"] == 1


def test_api_reveal_needs_a_reason_and_logs_each_reveal(api, agent, handler_a, handler_b):
    from intake.models import RevealLog

    demand = make_demand(phone="13812345678", by=agent)
    client = api.as_user(handler_a)
    assert client.post(f"/api/v1/demands/{demand.pk}/reveal/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/demands/{demand.pk}/reveal/", {"reason": "回电核实"}, format="json")
    assert response.status_code == 200 and response.json()["caller_phone"] == "13812345678"
    assert RevealLog.objects.filter(demand=demand, user=handler_a).count() == 1
    other = api.as_user(handler_b).post(f"/api/v1/demands/{demand.pk}/reveal/", {"reason": "x"}, format="json")
    assert other.status_code == 404 and RevealLog.objects.count() == 1


def test_refused_without_a_reason_or_two_decisions_at_once_are_refused(api, agent):
    client = api.as_user(agent)
    no_reason = post(client, {**BODY, "disposition": "refused"})
    assert no_reason.status_code == 400 and "refusal_reason" in no_reason.json()["errors"]
    both = post(client, {**BODY, "demand_type": "consult", "disposition": "answered", "refusal_reason": "petition"})
    assert both.status_code == 400 and "disposition" in both.json()["errors"]
    assert not Demand.objects.exists()


def test_only_level_three_categories_are_accepted(api, agent):
    response = post(api.as_user(agent), {**BODY, "category": "01"})
    assert response.status_code == 400 and "category" in response.json()["errors"]


def test_redispatch_carries_the_merged_callers_along(api, agent, dispatcher):
    from dispatch.services import work_order_redispatch
    from hotline.core.models import Unit

    order = main_order(make_demand(by=agent))
    merged = post(api.as_user(agent), {**BODY, "caller_phone": "13500003333", "merge_into": order.pk}).json()
    new = work_order_redispatch(order=order, unit=Unit.objects.get(code="110101002"), by=dispatcher)
    assert new.complainant_count == 2
    assert Demand.objects.get(pk=merged["id"]).merge.order_id == new.pk


def test_a_caller_merged_earlier_is_recognised_on_the_next_call(reference, agent):
    from django.utils import timezone

    order = main_order(make_demand(phone="13700002222", by=agent))
    demand_take(
        channel="phone",
        demand_type="complaint",
        category=order.demand.category,
        content="又来了",
        caller_phone="13811110000",
        action="merge",
        merge_into=order,
        by=agent,
    )
    found = duplicate_candidates(phone="13811110000", now=timezone.now())
    assert [d.order.pk for d in found] == [order.pk] and found[0].reason == "same_caller"


def test_a_place_in_a_non_street_unit_is_ignored_not_fatal(api, agent):
    from hotline.core.models import Unit
    from intake.models import Place

    Place.objects.create(name="奇怪大厦", street=Unit.objects.get(code="110101"))  # a district, by mistake
    response = post(api.as_user(agent), {**BODY, "address": "奇怪大厦门口"})
    assert response.status_code == 201 and response.json()["street"] is None


def test_the_demo_key_stays_deactivated_when_seeded_again(reference):
    from intake.models import ApiKey
    from intake.services import api_key_issue

    key, raw = api_key_issue(name="demo", channel="app", raw="demo-key-x")
    ApiKey.objects.filter(pk=key.pk).update(is_active=False)
    api_key_issue(name="demo", channel="app", raw="demo-key-x")
    assert not ApiKey.objects.get(pk=key.pk).is_active


def test_a_routed_demand_costs_a_dozen_statements_and_answers_what_was_stored(
    api, agent, django_assert_max_num_queries
):
    """Intake reads its reference data from memory (one stamp check) and answers from what it wrote."""
    client = api.as_user(agent)
    post(client, {**BODY, "street": "110101001"})  # the process loads its reference data once
    with django_assert_max_num_queries(13):  # token, stamp, demand, order, event, dispositions, number: 11 + savepoints
        response = post(client, {**BODY, "street": "110101001"})
    assert response.status_code == 201, response.json()
    data = response.json()
    stored = Demand.objects.get(pk=data["id"])
    order = WorkOrder.objects.get(demand=stored)
    assert data["number"] == stored.number and not stored.number.startswith("~")
    assert data["work_orders"] == [
        {
            "id": order.pk,
            "number": order.number,
            "unit": "110101001",
            "unit_name": order.unit.name,
            "role": "main",
            "status": "dispatched",
            "deadline": timezone.localtime(order.deadline).isoformat(),
            "complainant_count": 1,
        }
    ]
    assert order.number == f"{stored.number}-1" and data["work_order"] == order.pk


def test_a_street_code_sent_as_a_number_is_accepted(api, agent):
    response = post(api.as_user(agent), {**BODY, "street": 110101001, "address": ""})
    assert response.status_code == 201, response.json()
    assert response.json()["street"] == "110101001"
    response = post(api.as_user(agent), {**BODY, "street": 999999999, "address": ""})
    assert response.status_code == 400 and "street" in response.json()["errors"]
