"""A 督办单 from the inbox to its close, in the browser: the street's leader finds it in the inbox, signs
it in person and answers with the measures; a supervisor verifies and closes it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from dispatch.models import SupervisionOrder
from dispatch.sweep import deadlines_sweep
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, main_order, make_demand


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_unit_leader_signs_and_answers_from_the_inbox_and_a_supervisor_closes_it(live_server, page):
    reference_data_load()
    UserFactory(username="l110101001", role="unit_leader", unit=Unit.objects.get(code="110101001"))
    UserFactory(username="supervisor", role="supervisor", unit=Unit.objects.get(code=CENTER_CODE))
    order = main_order(
        make_demand(received_at=dt.datetime(2026, 11, 9, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    )
    for day in (16, 19, 20):  # the reminder, the 催办单, the 督办单
        deadlines_sweep(now=dt.datetime(2026, 11, day, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    supervision = SupervisionOrder.objects.get(order=order)

    log_in(page, live_server, "l110101001")
    expect(page.locator("#unread-count")).to_have_text("3")  # the day-5 reminder, the 催办单, the 督办单
    page.locator("#inbox-link").click()
    page.locator('#inbox li[data-kind="supervised"]').get_by_role("button", name="打开").click()
    expect(page).to_have_url(f"{live_server.url}/dispatch/supervision/{supervision.pk}/")
    expect(page.locator("#unread-count")).to_have_text("2")
    page.locator("#step-sign").get_by_role("button").click()
    expect(page.locator("#supervision-status")).to_have_text("已签办，待答复")
    expect(page.locator("#supervision-signed")).to_contain_text("l110101001")
    page.get_by_label("采取的措施").fill("已组织城管队员清理摊位，每日两次巡查。")
    page.locator("#step-answer").get_by_role("button").click()
    expect(page.locator("#supervision-status")).to_have_text("已答复，待核实")
    expect(page.locator("#no-steps")).to_be_visible()  # the unit does not close its own 督办单
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/dispatch/supervision/")
    page.locator("#supervision-list").get_by_role("link", name=supervision.number).click()
    expect(page.locator("#supervision-measures")).to_contain_text("每日两次巡查")
    page.locator("#step-verify").get_by_label("备注").fill("已现场核实。")
    page.locator("#step-verify").get_by_role("button").click()
    expect(page.locator("#supervision-status")).to_have_text("已核实办结")
    expect(page.locator("#supervision-timeline li")).to_have_count(3)
