"""未诉先办 in the browser: a street's handler records what the street did before anyone called, with a
photo; the district's leader finds it in the inbox, opens the photo and verifies it; the city's leader
sees it on the dashboard under 主动治理 / 每月一题进展."""

import pytest
from playwright.sync_api import expect

from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.conftest import reference_data_load
from tests.e2e.test_supervision import log_in
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_street_records_an_action_the_district_verifies_it_and_the_leader_sees_it(
    live_server, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    reference_data_load()
    street = Unit.objects.get(code="110101001")
    UserFactory(username="h110101001", role="handler", unit=street)
    UserFactory(username="l110101", role="unit_leader", unit=street.parent)
    UserFactory(username="leader", role="leader", unit=Unit.objects.get(code=CENTER_CODE))
    photo = tmp_path / "清掏前后.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"0" * 200)

    log_in(page, live_server, "h110101001")
    page.goto(f"{live_server.url}/governance/actions/")
    form = page.locator("form[enctype]")
    form.get_by_label("问题分类").select_option(index=1)
    form.get_by_label("地区（街道或社区）").select_option(label="东华门街道")
    form.get_by_label("实施日期").fill("2026-12-01")
    form.get_by_label("做了什么").fill("入汛前清掏东华门大街雨水口46个")
    form.get_by_label("受益人数").fill("1200")
    form.get_by_label("附件（最多 5 个，每个不超过 10 MB）").set_input_files(str(photo))
    form.get_by_role("button", name="记录").click()
    expect(page.locator("#action-status")).to_have_text("待核实")
    expect(page.get_by_role("link", name="📎 清掏前后.jpg")).to_be_visible()
    expect(page.locator("#action-decide")).to_have_count(0)  # the street does not verify its own
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "l110101")
    page.locator("#inbox-link").click()
    page.locator('#inbox li[data-kind="action_to_verify"]').get_by_role("button", name="打开").click()
    expect(page.locator("#action-what")).to_have_text("入汛前清掏东华门大街雨水口46个")
    page.locator("#action-decide").get_by_label("备注（不予认定时请说明原因）").fill("现场照片属实")
    page.locator("#action-decide").get_by_role("button", name="核实").click()
    expect(page.locator("#action-status")).to_have_text("已核实")
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/reports/")
    section = page.locator('section[aria-labelledby="governance-title"]')
    expect(section).to_contain_text("核实行动 1 项，惠及 1200 人")
    expect(section.get_by_role("link", name="入汛前清掏东华门大街雨水口46个")).to_be_visible()
