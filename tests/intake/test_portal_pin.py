"""The portal's map pin (issue 22, "citizens": 地图定位): a citizen may pin the place on a map of Beijing's
districts. The pin is kept with the demand, tells the district when the words do not, must lie in
Beijing and agree with the address; staff see it with a link to their phone's map app."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from intake.models import Demand
from tests.intake.test_pages import PORTAL

IN_DONGCHENG = {"lat": "39.915000", "long": "116.400000"}  # 天安门 area, 东城区
IN_CHAOYANG = {"lat": "39.950000", "long": "116.480000"}
IN_SHANGHAI = {"lat": "31.230000", "long": "121.470000"}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_pin_is_kept_with_the_demand(reference):
    response = Client().post("/portal/", {**PORTAL, **IN_DONGCHENG, "idempotency_key": "pin-1"})
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert (demand.lat, demand.long) == (Decimal("39.915000"), Decimal("116.400000"))
    assert demand.district.code == "110101"


def test_the_pin_tells_the_district_when_the_address_does_not(reference):
    vague = {**PORTAL, "address": "小区南门外的路口", "idempotency_key": "pin-2"}
    without = Client().post("/portal/", vague)
    assert without.status_code == 302 and Demand.objects.get().district is None
    Demand.objects.all().delete()
    with_pin = Client().post("/portal/", {**vague, **IN_CHAOYANG, "idempotency_key": "pin-3"})
    assert with_pin.status_code == 302
    assert Demand.objects.get().district.name == "朝阳区"


def test_a_pin_outside_beijing_is_refused_and_nothing_typed_is_lost(reference):
    response = Client().post("/portal/", {**PORTAL, **IN_SHANGHAI, "idempotency_key": "pin-4"})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert 'id="pin-error"' in html and "北京" in html
    assert PORTAL["content"] in html and PORTAL["address"] in html


def test_a_pin_that_contradicts_the_address_is_questioned(reference):
    response = Client().post("/portal/", {**PORTAL, **IN_CHAOYANG, "idempotency_key": "pin-5"})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert "朝阳区" in html and "东城区" in html and 'id="pin-error"' in html
    # The pin stays on the page to be moved, not lost.
    assert 'value="39.950000"' in html and 'value="116.480000"' in html


@pytest.mark.parametrize(
    "pin",
    [
        {"lat": "abc", "long": "116.4"},
        {"lat": "39.9", "long": ""},
        {"lat": "1e400", "long": "116.4"},
        {"lat": "39.91234567891", "long": "116.4"},
        {"lat": "NaN", "long": "Infinity"},
    ],
)
def test_a_broken_pin_is_a_clear_error_not_a_crash(reference, pin):
    response = Client().post("/portal/", {**PORTAL, **pin, "idempotency_key": "pin-6"})
    assert response.status_code == 400 and not Demand.objects.exists()
    assert 'id="pin-error"' in response.content.decode()


def test_staff_see_the_pin_with_its_district_and_a_map_app_link(reference, dispatcher):
    from tests.factories import make_demand

    demand = make_demand(lat=Decimal("39.915"), long=Decimal("116.4"))
    client = Client()
    client.force_login(dispatcher)
    page = client.get(f"/dispatch/demands/{demand.pk}/").content.decode()
    assert 'id="demand-pin"' in page and "东城区" in page
    assert 'href="geo:39.915000,116.400000"' in page
    order = demand.routed_orders[0]
    assert 'id="demand-pin"' in client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    unpinned = make_demand()
    assert 'id="demand-pin"' not in client.get(f"/dispatch/demands/{unpinned.pk}/").content.decode()


def test_the_public_open311_list_shows_a_pin_to_the_block_not_the_doorstep(reference):
    precise = {"lat": "39.915123", "long": "116.400456"}
    assert Client().post("/portal/", {**PORTAL, **precise, "idempotency_key": "pin-7"}).status_code == 302
    demand = Demand.objects.get()
    assert demand.lat == Decimal("39.915123")  # kept whole for staff
    public = Client().get(f"/open311/v2/requests/{demand.number}.json").json()[0]
    assert (public["lat"], public["long"]) == (39.915, 116.4)
