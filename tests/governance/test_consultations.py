"""民主协商 / 联席会商 records (issue 20, point 5): a street records who met, what was raised and decided,
linked to its topics and orders; another street neither records for it nor reads it; bad input keeps
what was typed."""

import datetime as dt

from django.test import Client

from hotline.core.models import Unit
from tests.factories import UserFactory, main_order, make_demand


def test_a_street_records_a_consultation_and_another_cannot(api, reference, agent, supervisor):
    street = Unit.objects.get(code="110101001")
    handler = UserFactory(username="t_cons_h", role="handler", unit=street)
    order = main_order(make_demand(by=agent))
    body = {
        "street": "110101001",
        "held_on": "2026-11-20",
        "kind": "residents",
        "convenor": "东华门街道办事处",
        "participants": "居民代表12人、物业、城管执法队",
        "parties": ["residents", "enterprises", "departments"],
        "issues": "南池子大街占道经营反复出现",
        "decisions": "设立疏导点，城管每日两次巡查",
        "orders": [order.number],
    }
    api.as_user(handler)
    created = api.post("/api/v1/governance/consultations/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["orders"] == [order.number] and created.json()["street"] == "110101001"
    assert api.post("/api/v1/governance/consultations/", {**body, "orders": ["NOPE"]}, format="json").status_code == 400
    assert (
        api.post("/api/v1/governance/consultations/", {**body, "held_on": "2099-01-01"}, format="json").status_code
        == 400
    )

    other = UserFactory(username="t_cons_o", role="handler", unit=Unit.objects.get(code="110105001"))
    api.as_user(other)
    assert api.post("/api/v1/governance/consultations/", body, format="json").status_code == 403
    assert api.get("/api/v1/governance/consultations/").json()["results"] == []
    api.as_user(supervisor)
    (row,) = api.get("/api/v1/governance/consultations/?street=110101001").json()["results"]
    assert row["decisions"].startswith("设立疏导点")

    # In the browser: a missing decision is named, and the rest stays typed.
    browser = Client()
    browser.force_login(handler)
    page = browser.post(
        "/governance/consultations/",
        {
            "street": "110101001",
            "held_on": dt.date(2026, 11, 21).isoformat(),
            "kind": "departments",
            "convenor": "街道",
            "participants": "区城管委、区市场监管局",
            "issues": "油烟扰民",
            "decisions": "",
        },
    )
    text = page.content.decode()
    assert page.status_code == 400 and "区城管委、区市场监管局" in text and "油烟扰民" in text
    assert "南池子大街占道经营反复出现" in browser.get("/governance/consultations/").content.decode()
