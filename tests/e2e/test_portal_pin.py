"""A citizen on a phone pins the place on the portal's map (地图定位) and the dispatcher sees the pin."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Demand
from tests.conftest import reference_data_load
from tests.e2e.test_phone_layout import PHONE, fits


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_citizen_pins_the_place_on_the_map(live_server, page):
    reference_data_load()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/")
    box = page.locator("#pin-map")
    expect(box.locator("path.leaflet-interactive, path").first).to_be_attached()  # the districts are drawn
    expect(page.locator(".pin-label", has_text="朝阳区")).to_be_attached()
    assert fits(page), "the portal scrolls sideways on a phone"

    # A tap far outside the city's outline is refused in words; a tap on the city places the pin.
    bounds = box.bounding_box()
    box.click(position={"x": 4, "y": bounds["height"] - 4})
    expect(page.locator("#pin-said")).to_contain_text("不在北京市范围内")
    expect(page.locator("#id_lat")).to_have_value("")
    page.get_by_role("button", name="定位到地图中心").click()  # the keyboard's way: the map's centre
    expect(page.locator("#pin-said")).to_have_text(re.compile(r"已定位于.+区"))
    page.locator("#pin-clear").click()
    expect(page.locator("#id_lat")).to_have_value("")
    box.click()  # the middle of the map, with the mouse (a finger)
    expect(page.locator("#pin-said")).to_have_text(re.compile(r"已定位于.+区"))
    pinned_in = page.locator("#pin-said").inner_text().removeprefix("已定位于").rstrip("。")

    page.locator("label", has_text="占道经营").first.click()
    page.get_by_label("内容").fill("路口有人摆摊占道，行人只能走机动车道。")
    page.get_by_label("地址").fill("小区南门外的路口")
    page.locator("#id_caller_name").fill("陈女士")
    page.locator("#id_caller_phone").fill("13633334444")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#demand-number")).to_be_visible()

    demand = Demand.objects.get()
    assert demand.lat is not None and demand.long is not None
    assert demand.district.name == pinned_in  # the pin told the district the address did not


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_refused_pin_comes_back_shown_and_can_be_removed(live_server, page):
    reference_data_load()
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("#pin-map path").first).to_be_attached()
    page.locator("#id_lat").evaluate("el => { el.value = '31.230000'; }")  # Shanghai: outside the city
    page.locator("#id_long").evaluate("el => { el.value = '121.470000'; }")
    page.locator("label", has_text="占道经营").first.click()
    page.get_by_label("内容").fill("路口有人摆摊占道。")
    page.get_by_label("地址").fill("东城区景山街道景山前街")
    page.locator("#id_caller_phone").fill("13633334444")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#pin-error")).to_contain_text("北京")
    expect(page.locator("#pin-said")).to_contain_text("不在北京市范围内")
    page.locator("#pin-clear").click()  # the error says "remove it": it can be
    expect(page.locator("#id_lat")).to_have_value("")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#demand-number")).to_be_visible()
    assert Demand.objects.get().lat is None
