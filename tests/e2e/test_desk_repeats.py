"""重复件 at the desk (issue 22, point 1): the warning that the caller already has an open order is where
the agent looks before pressing 提交并派单, and a repeat picked at once is not lost when the panel
refreshes."""

import pytest
from playwright.sync_api import expect

from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.conftest import reference_data_load
from tests.e2e.test_agent_call import log_in_with_the_keyboard
from tests.factories import UserFactory, main_order, make_demand


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_repeat_warning_sits_by_the_submit_button_and_keeps_the_agents_pick(live_server, page):
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    earlier = main_order(make_demand(phone="13911112222", content="南池子大街8号门口占道经营。"))
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_with_the_keyboard(page, live_server, "agent")

    page.keyboard.type("13911112222")
    warning = page.locator("#repeat-warning")
    expect(warning).to_contain_text(earlier.number)
    # Right above the submit button, in the same column: not under the knowledge base's hits.
    box, button = warning.bounding_box(), page.locator("#dispatch-button").bounding_box()
    assert 0 <= button["y"] - (box["y"] + box["height"]) < 60
    assert abs(box["x"] - button["x"]) < 40

    # The agent types the address and clicks the repeat straight away: the refresh the address set off
    # arrives after the click and must not undo it.
    page.locator("#id_address").fill("北京市东城区东华门街道南池子大街8号")
    with page.expect_response(lambda r: "/dispatch/desk/duplicates/" in r.url):
        page.locator(f"#merge-{earlier.pk}").click()
    page.wait_for_timeout(1000)  # the address's delayed refresh (700 ms) lands after the click
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#merge-{earlier.pk}")).to_be_checked()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_telephone_system_pops_the_desk_with_the_callers_number_and_history(live_server, page):
    """弹屏: /dispatch/desk/?phone=… opens a new call with the number filled in, the caller's history at
    once, and the call timer running."""
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    earlier = make_demand(phone="13911112222", content="上周反映的占道经营问题。")
    log_in_with_the_keyboard(page, live_server, "agent")
    page.goto(f"{live_server.url}/dispatch/desk/?phone=139-1111-2222")
    expect(page.locator("#id_caller_phone")).to_have_value("13911112222")
    expect(page.locator("#caller-history-table")).to_contain_text(earlier.number)
    expect(page.locator("#id_caller_name")).to_have_value("王小明")  # from the caller's last demand
    expect(page.locator("#call-timer")).not_to_have_text("0:00", timeout=3000)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_screen_pop_puts_an_unsent_call_aside_instead_of_losing_it(live_server, page):
    """An agent half-way through typing a call when the telephone system pops the desk for the next one,
    and again for a third: each unsent call is put aside and can be taken back (a swap: the call on the
    page is put aside in its turn); none is lost."""
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    log_in_with_the_keyboard(page, live_server, "agent")
    first = "楼下餐馆油烟很大，已经持续一个月。"
    page.locator("#id_caller_phone").fill("13822223333")
    page.locator("#id_content").fill(first)
    page.wait_for_timeout(500)  # the draft is sealed and kept as it is typed

    page.goto(f"{live_server.url}/dispatch/desk/?phone=13944445555")
    expect(page.locator("#id_caller_phone")).to_have_value("13944445555")
    expect(page.locator("#id_content")).to_have_value("")
    parked = page.locator("#draft-parked")
    expect(parked).to_be_visible()
    second = "新来电：路灯不亮。"
    page.locator("#id_content").fill(second)
    page.wait_for_timeout(500)

    page.goto(f"{live_server.url}/dispatch/desk/?phone=13955556666")  # a third call rings
    expect(page.locator("#id_content")).to_have_value("")
    expect(page.locator("#draft-parked-more")).to_contain_text("1")  # two calls are waiting

    page.locator("#draft-unpark").click()  # the newest put aside first
    expect(page.locator("#id_content")).to_have_value(second)
    page.locator("#draft-unpark").click()
    expect(page.locator("#id_content")).to_have_value(first)
    expect(page.locator("#id_caller_phone")).to_have_value("13822223333")
    # The second call, put aside in its turn; the third, popped and left untouched, was not worth keeping.
    expect(parked).to_be_visible()
    expect(page.locator("#draft-parked-more")).to_have_text("")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#draft-drop").click()
    expect(parked).to_be_hidden()
    page.reload()
    expect(page.locator("#draft-parked")).to_be_hidden()
    expect(page.locator("#id_content")).to_have_value(first)
