"""One demand through every hand (issue 22, done-when): the agent takes the call, the dispatcher names the
unit, the street's handler signs and replies on a phone, the callback agent records the citizen's
answers, the leader drills from the dashboard to the order, and the citizen reads the reply.

Each page is photographed. To refresh the pictures in docs/screenshots/ (linked from the README):
    SCREENSHOTS_DIR=docs/screenshots make test PYTEST_ARGS=tests/e2e/test_walkthrough.py
"""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.services import reply_accept
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from intake.models import Demand
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, main_order, make_demand

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def log_in(browser, live_server, username, viewport=DESKTOP):
    page = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    return page


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_one_demand_through_every_hand(live_server, browser, tmp_path):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    reference_data_load()
    center = Unit.objects.get(code=CENTER_CODE)
    for username, role in [
        ("agent", "agent"),
        ("dispatcher", "dispatcher"),
        ("callback", "callback"),
        ("leader", "leader"),
    ]:
        UserFactory(username=username, role=role, unit=center)
    dispatcher = UserFactory._meta.model.objects.get(username="dispatcher")
    UserFactory(username="h110101001", role="handler", unit=Unit.objects.get(code="110101001"))
    for n, content in enumerate(["景山前街路灯不亮。", "南池子大街有人占道经营。", "暖气不热，只有十五度。"]):
        make_demand(phone=f"1380000000{n}", content=content, category=["010301", "010101", "020101"][n])

    # 1. The agent: the matter by its name, the address to a street, Ctrl+Enter.
    agent = log_in(browser, live_server, "agent")
    agent.locator("#id_caller_phone").fill("13911112222")
    agent.locator("#id_caller_name").fill("王小明")
    agent.locator("#id_category").fill("网络信号差")
    agent.locator("#id_content").fill("东华门大街5号楼里手机信号很差，在家打不出电话，已经两个星期了。")
    agent.locator("#id_address").fill("北京市东城区东华门街道东华门大街5号")
    expect(agent.locator("#street-resolution")).to_contain_text("东华门街道")
    shoot(agent, "01-agent-desk")
    agent.keyboard.press("Control+Enter")
    expect(agent.locator("#call-outcome")).to_be_visible()
    demand = Demand.objects.get(**Demand.phone_lookup("13911112222"))
    expect(agent.locator("#call-outcome")).to_contain_text(demand.number)
    assert demand.disposition == "pending_dispatch"  # no catalogue rule for this matter: a dispatcher decides

    # 2. The dispatcher: the unit by its name, not its code.
    dispatch = log_in(browser, live_server, "dispatcher")
    row = dispatch.locator("#pending tr", has_text=demand.number)
    row.locator('input[name="main_unit"]').fill("东华门街道")
    shoot(dispatch, "02-dispatcher")
    row.get_by_role("button", name="派单", exact=True).click()
    expect(dispatch.locator(".alert-success")).to_contain_text(demand.number)
    order = main_order(demand)
    assert order.unit.code == "110101001"

    # 3. The street's handler, on a phone: the queue as cards, sign, reply.
    handler = log_in(browser, live_server, "h110101001", viewport=PHONE)
    handler.goto(f"{live_server.url}/dispatch/unit/")
    card = handler.locator("#queue-cards li", has_text=order.number)
    expect(card).to_be_visible()
    shoot(handler, "03-handler-queue-phone")
    card.get_by_role("link", name=order.number).click()
    handler.get_by_role("button", name="签收").click()
    expect(handler.locator("#order-status")).to_contain_text("已签收")
    handler.locator("summary", has_text="办结反馈").click()
    handler.get_by_label("是否联系诉求人？").select_option("1")
    handler.get_by_label("联系时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    handler.get_by_label("联系方式").select_option("phone")
    handler.get_by_label("办理结果").select_option("resolved")
    handler.get_by_label("答复市民").fill("已协调运营商在5号楼加装室内信号放大设备，信号已恢复。")
    handler.get_by_label("反馈热线").fill("已电话联系诉求人，运营商已加装设备。")
    shoot(handler, "04-handler-order-phone")
    assert handler.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    handler.locator('button[name="submit-reply"]').click()
    expect(handler.locator("#order-status")).to_contain_text("已办结反馈")
    reply_accept(order=main_order(demand), by=dispatcher)  # the hotline's check of the reply (审核)

    # 4. The callback agent: the three answers close the order.
    callback = log_in(browser, live_server, "callback")
    callback.locator(f'#callbacks-due tr[data-order="{order.number}"]').get_by_role("link", name="回访").click()
    callback.locator("#id_contacted").get_by_label("是").check()
    callback.locator("#id_resolution").get_by_label("已解决").check()
    callback.locator("#id_satisfaction").get_by_label("满意", exact=True).check()
    shoot(callback, "05-callback")
    callback.get_by_role("button", name="记录评价并办结").click()
    expect(callback.locator("#order-status")).to_have_text("已办结")

    # 5. The leader: from today's count on the dashboard to the orders behind it.
    leader = log_in(browser, live_server, "leader")
    expect(leader.locator("#trend")).to_be_visible()
    shoot(leader, "06-leader-dashboard")
    leader.locator('a[data-drill="dispatched"]').click()
    expect(leader.locator("#event-filter")).to_be_visible()
    expect(leader.locator("#queue")).to_contain_text(order.number)
    shoot(leader, "07-leader-drilldown")

    # 6. The citizen: the reply and what happened, in plain words.
    citizen = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    citizen.goto(f"{live_server.url}/portal/status/")
    citizen.get_by_label("诉求编号").fill(demand.number)
    citizen.get_by_label(re.compile("电话")).fill("139 1111 2222")
    citizen.get_by_role("button", name="查询").click()
    expect(citizen.locator("#lookup-reply")).to_contain_text("信号已恢复")
    expect(citizen.locator("#lookup-timeline")).to_contain_text("东华门街道已答复")
    expect(citizen.locator("#lookup-status")).to_contain_text("已办结")
    shoot(citizen, "08-citizen-status")
    assert len(list(shots.glob("*.png"))) == 8
