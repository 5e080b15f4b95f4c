"""The dispatcher's queue has one scope in the browser and the API: the city hotline dispatches every
pending demand, a district sub-center's dispatcher only those of its district's streets."""

import pytest
from django.test import Client

from hotline.core.models import Unit
from tests.conftest import DISTRICT
from tests.factories import UserFactory, make_demand

DONGCHENG_STREET, CHAOYANG_STREET = "110101002", "110105001"


@pytest.fixture
def pending(agent):
    # 网络信号差 has no catalogue rule: each waits for a dispatcher.
    return {
        street: make_demand(category="090501", street=street, by=agent)
        for street in (DONGCHENG_STREET, CHAOYANG_STREET)
    }


@pytest.fixture
def district_dispatcher(reference):
    return UserFactory(username="t_dc_dispatcher", role="dispatcher", unit=Unit.objects.get(code=DISTRICT))


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_district_dispatcher_sees_and_dispatches_only_its_districts_pending_demands(
    pending, district_dispatcher, api
):
    ours, theirs = pending[DONGCHENG_STREET], pending[CHAOYANG_STREET]
    page = browser(district_dispatcher).get("/dispatch/").content.decode()
    assert ours.number in page and theirs.number not in page
    form = {"main_unit": DONGCHENG_STREET, "assisting_units": "", "complexity": "ordinary", "note": ""}
    assert browser(district_dispatcher).post(f"/dispatch/demands/{theirs.pk}/dispatch/", form).status_code == 404
    client = api.as_user(district_dispatcher)
    body = {"main_unit": CHAOYANG_STREET, "assisting_units": [], "complexity": "ordinary"}
    assert client.post(f"/api/v1/demands/{theirs.pk}/dispatch/", body, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.disposition == "pending_dispatch"
    # Its own district's demand: dispatched through the page, and then a second try is a 409, not a 404.
    assert browser(district_dispatcher).post(f"/dispatch/demands/{ours.pk}/dispatch/", form).status_code == 302
    ours.refresh_from_db()
    assert ours.disposition == "dispatched"
    body["main_unit"] = DONGCHENG_STREET
    assert client.post(f"/api/v1/demands/{ours.pk}/dispatch/", body, format="json").status_code == 409


def test_the_city_dispatcher_sees_every_pending_demand(pending, dispatcher):
    page = browser(dispatcher).get("/dispatch/").content.decode()
    assert all(demand.number in page for demand in pending.values())
