"""The callback agent's round: the worklist, the citizen's number, the three answers, and the order
closed with its evaluation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from dispatch.services import work_order_sign
from feedback.services import reply_accept, work_order_reply
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, main_order, make_demand


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_callback_agent_records_the_three_answers_and_the_order_closes(live_server, page):
    reference_data_load()
    center = Unit.objects.get(code=CENTER_CODE)
    UserFactory(username="callback", role="callback", unit=center)
    dispatcher = UserFactory(username="dispatcher", role="dispatcher", unit=center)
    handler = UserFactory(username="h110101001", role="handler", unit=Unit.objects.get(code="110101001"))
    order = main_order(make_demand(phone="13812345678", name="王小明"))
    work_order_sign(order=order, by=handler)
    work_order_reply(
        order=order,
        by=handler,
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="摊位已清理。",
        reply_to_hotline="已电话联系诉求人。",
    )
    reply_accept(order=order, by=dispatcher)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("callback")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/feedback/callbacks/")

    row = page.locator(f'#callbacks-due tr[data-order="{order.number}"]')
    expect(row).to_be_visible()
    row.get_by_role("link", name="回访").click()
    expect(page.locator("#callback-phone")).to_have_text("13812345678")
    expect(page.get_by_text("摊位已清理。")).to_be_visible()

    page.locator("#id_contacted").get_by_label("是").check()
    page.locator("#id_resolution").get_by_label("部分解决").check()
    page.locator("#id_satisfaction").get_by_label("基本满意").check()
    page.get_by_label("备注").fill("摊贩偶尔还会回来。")
    page.get_by_role("button", name="记录评价并办结").click()

    expect(page).to_have_url(f"{live_server.url}/dispatch/orders/{order.pk}/")
    expect(page.locator("#order-status")).to_have_text("已办结")
    evaluation = page.locator("#order-evaluation")
    expect(evaluation.locator('[data-current="1"] [data-field="resolution"]')).to_have_text("部分解决")
    expect(evaluation.locator('[data-current="1"] [data-field="satisfaction"]')).to_have_text("基本满意")
    expect(evaluation).to_contain_text("摊贩偶尔还会回来。")
