"""Street staff work in the field (issue 22, point 14): on a 390-pixel phone the queue, the order page and
its actions fit the screen — nothing to scroll sideways — and the handler signs and replies there."""

import pytest
from playwright.sync_api import expect

from hotline.core.models import Unit
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, main_order, make_demand

PHONE = {"width": 390, "height": 844}


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_handler_works_an_order_on_a_phone(live_server, page):
    reference_data_load()
    UserFactory(username="street", role="handler", unit=Unit.objects.get(code="110101001"))
    orders = [
        main_order(make_demand(content=f"南池子大街{n}号门口有人占道经营，人行道被堵，行人只能走机动车道。" * 2))
        for n in range(3)
    ]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("street")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.goto(f"{live_server.url}/dispatch/unit/")
    expect(page.locator(f"text={orders[0].number}").first).to_be_visible()
    assert fits(page), "the queue scrolls sideways on a phone"

    page.locator(f"a:has-text('{orders[0].number}'):visible").first.click()
    expect(page.locator("#page-title")).to_contain_text(orders[0].number)
    assert fits(page), "the order page scrolls sideways on a phone"
    page.get_by_role("button", name="签收").first.click()
    expect(page.locator("#order-status")).to_contain_text("已签收")
    assert fits(page)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_time_left_counts_down_on_the_page(live_server, page):
    """倒计时: the order page's time left moves without a reload."""
    import datetime as dt

    from django.utils import timezone

    reference_data_load()
    UserFactory(username="street", role="handler", unit=Unit.objects.get(code="110101001"))
    order = main_order(make_demand())
    order.deadline = timezone.now() + dt.timedelta(minutes=1, seconds=20)
    order.save(update_fields=["deadline"])
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("street")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.goto(f"{live_server.url}/dispatch/orders/{order.pk}/")
    countdown = page.locator("#order-deadline .countdown")
    expect(countdown).to_contain_text("剩余1分钟")
    page.clock.run_for(120_000)  # two minutes later, without a reload
    expect(countdown).to_contain_text("已超期")
