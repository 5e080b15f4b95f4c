"""The agent's workbench, the citizen portal and the logged reveal, through the browser views."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dispatch.models import WorkOrder
from intake.models import Demand, RevealLog
from tests.factories import main_order, make_demand

CALL = {
    "caller_phone": "13922223333",
    "caller_name": "赵六",
    "demand_type": "complaint",
    "category": "010101 占道经营",
    "content": "南池子大街有人占道经营。",
    "address": "东城区东华门街道南池子大街8号",
    "street": "110101001",
    "urgency": "normal",
    "action": "route",
    "idempotency_key": "k-1",
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_agent_home_is_the_call_form_with_a_fresh_idempotency_key(agent):
    client = login(agent)
    page = client.get("/", follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="call-form"' in html
    assert 'name="idempotency_key"' in html
    assert "010101 占道经营" in html  # the category type-ahead list


def test_submitting_a_call_shows_where_it_went_and_a_fresh_form(agent):
    client = login(agent)
    response = client.post("/dispatch/desk/", CALL, follow=True)
    demand = Demand.objects.get()
    html = response.content.decode()
    assert demand.channel == "phone" and demand.created_by == agent
    assert demand.number in html and "东华门街道" in html
    assert timezone.localtime(main_order(demand).deadline).strftime("%Y-%m-%d %H:%M") in html
    assert "data-clear-draft" in html  # the browser drops the draft of the call just logged
    assert 'value="k-1"' not in html  # the next call gets a new key


def test_a_double_submission_creates_one_demand(agent):
    client = login(agent)
    first = client.post("/dispatch/desk/", CALL)
    second = client.post("/dispatch/desk/", CALL)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Demand.objects.count() == 1


def test_validation_errors_keep_what_was_typed_and_say_what_is_wrong(agent):
    client = login(agent)
    response = client.post("/dispatch/desk/", {**CALL, "category": "不存在的分类", "caller_phone": "12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "相符的问题分类" in html or "No matter category matches" in html
    assert "南池子大街有人占道经营。" in html and 'value="赵六"' in html
    assert 'value="k-1"' in html  # the same key: a corrected resubmission is still one demand
    assert not Demand.objects.exists()


def test_refusing_without_a_reason_is_an_error_on_that_field(agent):
    response = login(agent).post("/dispatch/desk/", {**CALL, "action": "refuse"})
    assert response.status_code == 400
    assert response.context["form"].errors["refusal_reason"]


def test_refusal_shows_the_script_to_read(agent):
    response = login(agent).post(
        "/dispatch/desk/", {**CALL, "action": "refuse", "refusal_reason": "police_110"}, follow=True
    )
    assert Demand.objects.get().disposition == "refused"
    assert "110" in response.content.decode()


def test_merge_from_the_form_joins_the_open_order(agent):
    order = main_order(make_demand(by=agent))
    response = login(agent).post("/dispatch/desk/", {**CALL, "action": "merge", "merge_into": order.pk}, follow=True)
    assert WorkOrder.objects.count() == 1
    assert WorkOrder.objects.get(pk=order.pk).complainant_count == 2
    assert order.number in response.content.decode()


def test_caller_panel_lists_history_and_offers_the_last_name(agent):
    make_demand(phone="13922223333", name="赵六", by=agent)
    html = login(agent).post("/dispatch/desk/caller/", {"caller_phone": "139-2222-3333"}).content.decode()
    assert 'data-last-name="赵六"' in html
    assert "占道经营" in html and "东华门街道" in html


def test_street_panel_preselects_the_resolved_street_or_lists_candidates(agent):
    client = login(agent)
    html = client.post("/intake/street/", {"address": "北京市东城区东华门街道南池子大街"}).content.decode()
    assert '<option value="110101001" selected>' in html
    ambiguous = client.post("/intake/street/", {"address": "八里庄北里"}).content.decode()
    assert "朝阳区 · 八里庄" in ambiguous and "海淀区 · 八里庄" in ambiguous


def test_duplicates_panel_offers_the_open_order_to_merge(agent):
    order = main_order(make_demand(phone="13922223333", by=agent))
    html = login(agent).post("/dispatch/desk/duplicates/", {"caller_phone": "13922223333"}).content.decode()
    assert f'value="{order.pk}"' in html and order.number in html


def test_live_panels_are_for_agents_only_and_never_take_the_number_in_the_url(agent, handler_a):
    for panel in ("/dispatch/desk/caller/", "/intake/street/", "/dispatch/desk/duplicates/"):
        assert login(handler_a).post(panel, {"caller_phone": "13922223333"}).status_code == 403
        assert login(agent).get(panel, {"caller_phone": "13922223333"}).status_code == 405


def test_a_street_chosen_by_hand_is_kept_when_the_address_changes(agent):
    html = login(agent).post("/intake/street/", {"address": "北京市东城区东华门街道", "street_chosen": "110101002"})
    assert '<option value="110101002" selected>' in html.content.decode()


def test_order_page_masks_the_caller_and_a_reveal_writes_one_log_row(agent, handler_a):
    demand = make_demand(phone="13812345678", by=agent)
    order = main_order(demand)
    client = login(handler_a)
    page = client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    no_reason = client.post(f"/dispatch/demands/{demand.pk}/reveal/", {"reason": " "})
    assert no_reason.status_code == 400 and not RevealLog.objects.exists()
    revealed = client.post(f"/dispatch/demands/{demand.pk}/reveal/", {"reason": "需要电话联系诉求人核实地址"})
    assert "13812345678" in revealed.content.decode()
    log = RevealLog.objects.get()
    assert (log.user, log.demand, log.reason) == (handler_a, demand, "需要电话联系诉求人核实地址")


def test_confidential_caller_cannot_be_revealed_by_the_unit(agent, handler_a):
    demand = make_demand(confidential=True, by=agent)
    client = login(handler_a)
    page = client.get(f"/dispatch/orders/{main_order(demand).pk}/").content.decode()
    assert "13812345678" not in page and "138****5678" not in page
    response = client.post(f"/dispatch/demands/{demand.pk}/reveal/", {"reason": "联系"})
    assert response.status_code == 403 and not RevealLog.objects.exists()


def test_another_units_handler_cannot_reveal(agent, handler_b):
    demand = make_demand(by=agent)
    response = login(handler_b).post(f"/dispatch/demands/{demand.pk}/reveal/", {"reason": "联系"})
    assert response.status_code == 404 and not RevealLog.objects.exists()


# --- the citizen portal -------------------------------------------------------------------------

PORTAL = {
    "demand_type": "complaint",
    "category": "010101 占道经营",
    "content": "景山前街有人摆摊占道。",
    "address": "东城区景山街道景山前街",
    "caller_name": "陈女士",
    "caller_phone": "13633334444",
    "idempotency_key": "web-1",
}


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_portal_round_trip_submit_then_look_up_by_number_and_phone(reference, fresh_cache):
    client = Client()
    done = client.post("/portal/", PORTAL, follow=True)
    demand = Demand.objects.get()
    assert demand.channel == "web" and demand.street.code == "110101002"
    assert demand.number in done.content.decode()
    assert client.post("/portal/", PORTAL).status_code == 302 and Demand.objects.count() == 1  # retried submit
    found = Client().post("/portal/status/", {"number": demand.number, "phone": "136-3333-4444"})
    html = found.content.decode()
    assert found.status_code == 200 and "景山街道" in html
    assert "13633334444" not in html and "陈女士" not in html


def test_portal_lookup_needs_both_number_and_phone(reference, fresh_cache):
    demand = make_demand(phone="13633334444")
    wrong_phone = Client().post("/portal/status/", {"number": demand.number, "phone": "13600000000"})
    assert wrong_phone.status_code == 404 and "lookup-result" not in wrong_phone.content.decode()
    missing = Client().post("/portal/status/", {"number": demand.number, "phone": ""})
    assert missing.status_code == 200 and "lookup-result" not in missing.content.decode()


def test_portal_lookups_are_rate_limited(reference, fresh_cache):
    demand = make_demand(phone="13633334444")
    client = Client()
    statuses = [
        client.post("/portal/status/", {"number": demand.number, "phone": "13600000000"}).status_code for _ in range(11)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    # Even the right phone is refused until the window passes.
    assert client.post("/portal/status/", {"number": demand.number, "phone": "13633334444"}).status_code == 429


def test_portal_validation_keeps_the_input(reference, fresh_cache):
    response = Client().post("/portal/", {**PORTAL, "content": "", "address": ""})
    html = response.content.decode()
    assert response.status_code == 400 and 'value="陈女士"' in html and not Demand.objects.exists()


def test_an_edited_resubmission_of_a_logged_form_says_so_and_keeps_the_edits(agent):
    client = login(agent)
    client.post("/dispatch/desk/", CALL)
    number = Demand.objects.get().number
    edited = client.post("/dispatch/desk/", {**CALL, "content": "补充：摊位在8号门口。"})
    html = edited.content.decode()
    assert edited.status_code == 422 and number in html
    assert "补充：摊位在8号门口。" in html and 'value="k-1"' not in html
    assert Demand.objects.count() == 1
    new_key = edited.context["form"]["idempotency_key"].value()
    client.post("/dispatch/desk/", {**CALL, "content": "补充：摊位在8号门口。", "idempotency_key": new_key})
    assert Demand.objects.count() == 2


def test_merging_into_an_order_that_is_no_longer_open_says_why(agent, handler_a):
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
        reply_to_hotline="已联系",
    )
    response = login(agent).post("/dispatch/desk/", {**CALL, "action": "merge", "merge_into": order.pk})
    assert response.status_code == 409  # the service's answer, as the API gives it (merge_target_closed)
    assert "不在办理中" in response.content.decode() or "no longer open" in response.content.decode()
    assert Demand.objects.count() == 1


def test_portal_submissions_are_rate_limited_and_keep_the_input(reference, fresh_cache):
    client = Client()
    for n in range(20):
        # "Is it one of these?" answered "a different matter" (the same text twenty times would be asked).
        answered = {**PORTAL, "idempotency_key": f"w-{n}", "nearby_answered": "1"}
        assert client.post("/portal/", answered).status_code == 302
    blocked = client.post("/portal/", {**PORTAL, "idempotency_key": "w-20"})
    assert blocked.status_code == 429 and 'value="陈女士"' in blocked.content.decode()
    assert Demand.objects.count() == 20


def test_merged_callers_are_listed_on_the_order_masked_and_revealable_by_the_unit(agent, handler_a):
    from dispatch.services import demand_take

    order = main_order(make_demand(by=agent))
    merged = demand_take(
        channel="phone",
        demand_type="complaint",
        category=order.demand.category,
        content="同一个摊位",
        caller_phone="13566667777",
        caller_name="孙七",
        action="merge",
        merge_into=order,
        by=agent,
    )
    client = login(handler_a)
    page = client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    assert merged.number in page and "135****7777" in page and "13566667777" not in page
    revealed = client.post(f"/dispatch/demands/{merged.pk}/reveal/", {"reason": "联系第二位诉求人"})
    assert "13566667777" in revealed.content.decode()
    assert RevealLog.objects.filter(demand=merged, user=handler_a).count() == 1


def test_a_merged_caller_sees_progress_but_not_the_reply_written_to_the_first(agent, handler_a, fresh_cache):
    from dispatch.services import demand_take, work_order_sign
    from feedback.services import work_order_reply

    order = main_order(make_demand(by=agent))
    merged = demand_take(
        channel="phone",
        demand_type="complaint",
        category=order.demand.category,
        content="同一个摊位",
        caller_phone="13566667777",
        action="merge",
        merge_into=order,
        by=agent,
    )
    work_order_sign(order=order, by=handler_a)
    work_order_reply(
        order=order,
        by=handler_a,
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="王先生您好，已按您13812345678的来电处理。",
        reply_to_hotline="已联系",
    )
    html = Client().post("/portal/status/", {"number": merged.number, "phone": "13566667777"}).content.decode()
    assert "lookup-result" in html and "东华门街道" in html
    assert "13812345678" not in html and "lookup-reply" not in html
