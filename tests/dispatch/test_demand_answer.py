"""The answer of `POST /api/v1/demands/` is built from what was written, not through the serializer
(issue 18: intake as lean as the rest). It must be the text `GET /api/v1/demands/{id}/` gives for the same
demand right after, for every fate of a call."""

import pytest

from tests.factories import main_order, make_demand

CALL = {
    "channel": "phone",
    "demand_type": "complaint",
    "category": "010101",
    "content": "小区门口有人占道经营，影响通行。",
    "caller_phone": "138-1234-5678",
    "caller_name": "王小明",
    "address": "北京市东城区东华门街道南池子大街1号",
}


@pytest.mark.parametrize(
    "fate",
    [
        {},  # 直派 by the catalogue to the street
        {"street": "110101001", "lat": "39.912345", "long": "116.401234", "co_complainants": 2},
        {"category": "090501", "address": "某个地方"},  # no rule, no place: the dispatcher's queue
        {"demand_type": "consult", "disposition": "answered"},
        {"refusal_reason": "police_110"},
        {"problem_since": 2015, "problem_since_source": "2015年物业合同", "confidential": True},
        {"merge": True},
    ],
)
def test_the_answer_of_a_new_demand_is_what_reading_it_says(api, agent, fate):
    call = {**CALL, **fate}
    if call.pop("merge", False):
        call["merge_into"] = main_order(make_demand(by=agent)).pk
    client = api.as_user(agent)
    created = client.post("/api/v1/demands/", call, format="json")
    assert created.status_code == 201, created.json()
    read = client.get(f"/api/v1/demands/{created.json()['id']}/")
    assert created.json() == read.json()
    assert list(created.json()) == list(read.json())  # the same keys in the same order
