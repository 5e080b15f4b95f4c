import pytest
from playwright.sync_api import expect

from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.factories import PASSWORD, UserFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_agent_logs_in_and_sees_the_agent_home_in_chinese(live_server, page):
    from hotline.core.services import units_load

    units_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE), display_name="张坐席")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="12345市民服务热线")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_focused()
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/dispatch/desk/")
    expect(page.locator("#page-title")).to_have_text("话务工作台")
    expect(page.locator("#current-user")).to_contain_text("张坐席 · 话务员")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
