import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dispatch.deadlines import light_of
from hotline.core.models import Unit
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, main_order, make_demand


def yellow_order():
    """An order received long enough ago that its light is yellow now."""
    now = timezone.now()
    for days in range(1, 20):
        order = main_order(
            make_demand(category="010101", street="110101001", received_at=now - dt.timedelta(days=days))
        )
        if light_of(order, now) == "yellow":
            return order
    raise AssertionError("no start gives a yellow light")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_street_handler_signs_and_replies_and_sees_the_light_change(live_server, page):
    reference_data_load()
    UserFactory(
        username="h110101001", role="handler", unit=Unit.objects.get(code="110101001"), display_name="东华门承办人"
    )
    order = yellow_order()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("h110101001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/dispatch/unit/")

    row = page.locator(f'tr[data-order="{order.number}"]')
    expect(row.locator('[data-value="yellow"]')).to_have_text("黄灯预警")
    row.get_by_role("link", name=order.number).click()

    expect(page.locator("#order-status")).to_have_text("已派单")
    page.get_by_role("button", name="签收").click()
    expect(page.locator("#order-status")).to_have_text("已签收")
    expect(page.locator('#timeline [data-kind="signed"]')).to_be_visible()

    page.locator("summary", has_text="办结反馈").click()
    page.get_by_label("是否联系诉求人？").select_option("1")
    page.get_by_label("联系时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("联系方式").select_option("phone")
    page.get_by_label("办理结果").select_option("resolved")
    page.get_by_label("答复市民").fill("占道摊位已清理，已告知市民。")
    page.get_by_label("反馈热线").fill("已电话联系诉求人，现场处置完毕。")
    page.locator('button[name="submit-reply"]').click()

    expect(page.locator("#order-status")).to_have_text("已办结反馈")
    expect(page.locator('#order-light [data-value="none"]')).to_be_visible()
    page.goto(f"{live_server.url}/dispatch/unit/?light=yellow")
    expect(page.locator(f'tr[data-order="{order.number}"]')).to_have_count(0)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_reply_template_fills_the_reply_to_the_citizen(live_server, page):
    """答复模板: the handler starts the reply from a common answer and completes it."""
    from dispatch.services import work_order_sign
    from feedback.models import ReplyTemplate
    from hotline.core.models import Category

    reference_data_load()
    handler = UserFactory(username="h110101001", role="handler", unit=Unit.objects.get(code="110101001"))
    ReplyTemplate.objects.create(
        title="占道经营已清理",
        text="您好，占道摊位已清理，并纳入日常巡查。",
        category=Category.objects.get(code="0101"),
    )
    ReplyTemplate.objects.create(title="供暖已修复", text="暖气已恢复。", category=Category.objects.get(code="0201"))
    order = main_order(make_demand())
    work_order_sign(order=order, by=handler)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("h110101001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/dispatch/orders/{order.pk}/")
    page.locator("summary", has_text="办结反馈").click()
    picker = page.get_by_label("从模板开始")
    expect(picker.locator("option")).to_have_count(2)  # "none" and the one for this matter's branch
    picker.select_option(label="占道经营已清理")
    expect(page.get_by_label("答复市民")).to_have_value("您好，占道摊位已清理，并纳入日常巡查。")
