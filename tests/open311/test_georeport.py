"""Open311 GeoReport v2 at /open311/v2/, as an existing GeoReport client sees it: the spec's fields
and element names in JSON and XML, its error list, POST under the partner key's channel, the GET
filters, and a caller's identity never published."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.services import demand_take
from feedback import services as feedback_services
from hotline.core.models import Category, Unit
from intake.choices import DemandType, Urgency
from intake.models import ApiKey, Demand
from intake.services import api_key_issue
from tests.factories import main_order, make_demand

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
NOW = "2026-11-23 10:00:00+08:00"  # a Monday

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
CONTACTED_AT = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
REPLY = {
    "contacted": True,
    "contacted_at": CONTACTED_AT,
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "已清理占道摊位。",
    "reply_to_hotline": "已与来电人电话联系，现场处置完毕。",
}
CALLER_PHONE, CALLER_NAME = "13812345678", "王小明"


@pytest.fixture
def now(reference, time_machine):
    """A frozen Monday morning, with the reference data loaded."""
    time_machine.move_to(NOW, tick=False)
    return timezone.now()


@pytest.fixture
def key(reference):
    """A raw API key of the WeChat partner channel."""
    return api_key_issue(name="微信公众号", channel="wechat")[1]


# --- how a client reads the two formats -------------------------------------------------------


def xml_root(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def items(response, fmt: str, root: str, item: str) -> list[dict]:
    """The response's items as dicts of text (XML) or values (JSON), checking the envelope."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert isinstance(body, list)
        return body
    element = xml_root(response)
    assert element.tag == root
    assert all(child.tag == item for child in element)
    return [{field.tag: field.text for field in child} for child in element]


def errors(response, fmt: str) -> list[dict]:
    found = items(response, fmt, "errors", "error")
    assert found and all(list(e) == ["code", "description"] for e in found)
    assert all(str(e["code"]) == str(response.status_code) for e in found)
    if fmt == "json":
        assert all(isinstance(e["code"], int) for e in found)
    return found


def requests_of(client, fmt: str, **params) -> list[dict]:
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 200, response.content
    return items(response, fmt, "service_requests", "request")


def numbers(found: list[dict]) -> list[str]:
    return [r["service_request_id"] for r in found]


def post(client, fmt: str, data: dict, **headers):
    return client.post(
        f"{BASE}/requests.{fmt}",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def submission(key: str, **overrides) -> dict:
    data = {
        "api_key": key,
        "jurisdiction_id": "beijing.gov.cn",
        "service_code": "010101",
        "lat": "39.915000",
        "long": "116.404000",
        "address_string": "北京市东城区东华门街道南池子大街1号",
        "description": "南池子大街路口有人占道经营，影响通行。",
        "phone": CALLER_PHONE,
        "first_name": "小明",
        "last_name": "王",
        "email": "wang@example.com",
        "device_id": "dev-1",
        "account_id": "acc-1",
        "media_url": "https://img.example.com/1.jpg",
        "attribute[demand_type]": "complaint",
        "attribute[urgency]": "urgent",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- demands in each state --------------------------------------------------------------------


def demand(**overrides) -> Demand:
    kwargs = {
        "channel": "phone",
        "demand_type": "complaint",
        "category": Category.objects.get(code="010101"),
        "content": "小区门口有人占道经营，影响通行。",
        "caller_phone": CALLER_PHONE,
        "caller_name": CALLER_NAME,
        "address": "北京市东城区东华门街道南池子大街1号",
        "street": Unit.objects.get(code="110101001"),
    }
    kwargs.update(overrides)
    return demand_take(**kwargs)


def answered() -> Demand:
    return demand(demand_type="consult", category=Category.objects.get(code="120103"), action="answer")


def refused() -> Demand:
    return demand(action="refuse", refusal_reason="litigation")


def pending() -> Demand:
    """通信 has no catalogue rule: it waits for a dispatcher."""
    return demand(category=Category.objects.get(code="090501"))


# --- GET services -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_has_one_service_per_active_level_3_category(client, reference, fmt):
    Category.objects.filter(code="010102").update(is_active=False)
    services = items(client.get(f"{BASE}/services.{fmt}"), fmt, "services", "service")
    assert all(list(s) == SERVICE_FIELDS for s in services)
    codes = [s["service_code"] for s in services]
    assert codes == sorted(Category.objects.filter(level=3, is_active=True).values_list("code", flat=True))
    assert "010102" not in codes and "01" not in codes and "0101" not in codes
    stall = next(s for s in services if s["service_code"] == "010101")
    assert stall["service_name"] == "占道经营"
    assert stall["description"] == "城市管理 › 市容环境 › 占道经营"
    assert stall["group"] == "城市管理"
    assert stall["type"] == "realtime"
    assert stall["keywords"] == "市容环境, 城市管理"
    assert stall["metadata"] == (True if fmt == "json" else "true")


# --- GET service definition -------------------------------------------------------------------


def test_service_definition_offers_demand_type_and_urgency_json(client, reference):
    response = client.get(f"{BASE}/services/010101.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["service_code", "attributes"]
    assert body["service_code"] == "010101"
    demand_type, urgency = body["attributes"]
    for attribute, order in ((demand_type, 1), (urgency, 2)):
        assert list(attribute) == ATTRIBUTE_FIELDS
        assert (attribute["variable"], attribute["datatype"], attribute["required"], attribute["order"]) == (
            True,
            "singlevaluelist",
            False,
            order,
        )
        assert all(list(value) == ["key", "name"] for value in attribute["values"])
    assert (demand_type["code"], urgency["code"]) == ("demand_type", "urgency")
    assert [v["key"] for v in demand_type["values"]] == list(DemandType.values)
    assert [v["key"] for v in urgency["values"]] == list(Urgency.values)
    assert {"key": "complaint", "name": "投诉"} in demand_type["values"]


def test_service_definition_offers_demand_type_and_urgency_xml(client, reference):
    root = xml_root(client.get(f"{BASE}/services/010101.xml"))
    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "010101"
    attributes = list(root.find("attributes"))
    assert [a.tag for a in attributes] == ["attribute", "attribute"]
    for attribute, order in zip(attributes, ("1", "2")):
        assert [field.tag for field in attribute] == ATTRIBUTE_FIELDS
        assert [attribute.findtext(f) for f in ("variable", "datatype", "required", "order")] == [
            "true",
            "singlevaluelist",
            "false",
            order,
        ]
        values = list(attribute.find("values"))
        assert {v.tag for v in values} == {"value"}
        assert all([field.tag for field in v] == ["key", "name"] for v in values)
    demand_type, urgency = attributes
    assert [v.findtext("key") for v in demand_type.find("values")] == list(DemandType.values)
    assert [v.findtext("key") for v in urgency.find("values")] == list(Urgency.values)
    assert ("complaint", "投诉") in [(v.findtext("key"), v.findtext("name")) for v in demand_type.find("values")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["999999", "0101", "010102"])
def test_unknown_or_inactive_service_is_404(client, reference, fmt, code):
    Category.objects.filter(code="010102").update(is_active=False)
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    assert code in errors(response, fmt)[0]["description"]


# --- POST requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_demand_under_the_keys_channel(client, key, now, fmt):
    response = post(client, fmt, submission(key))
    assert response.status_code == 200, response.content
    [created] = items(response, fmt, "service_requests", "request")
    assert list(created) == CREATED_FIELDS
    assert created["account_id"] is None
    demand = Demand.objects.get(number=created["service_request_id"])
    assert demand.channel == "wechat"
    assert demand.api_key.name == "微信公众号"
    assert (demand.category.code, demand.demand_type, demand.urgency) == ("010101", "complaint", "urgent")
    assert (demand.caller_phone, demand.caller_name) == (CALLER_PHONE, "王小明")
    assert (str(demand.lat), str(demand.long)) == ("39.915000", "116.404000")
    assert demand.content == "南池子大街路口有人占道经营，影响通行。"
    assert demand.media_url == "https://img.example.com/1.jpg"
    # Routed like any other demand: straight to the street, and the notice says so and by when.
    order = main_order(demand)
    assert order.unit.name in created["service_notice"]
    assert timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M") in created["service_notice"]


def test_post_defaults_to_a_complaint_and_accepts_multipart_and_an_address_alone(client, key):
    data = submission(key, lat=None, long=None, **{"attribute[demand_type]": "", "attribute[urgency]": None})
    response = client.post(f"{BASE}/requests.json", data)  # the test client sends multipart/form-data
    assert response.status_code == 200, response.content
    demand = Demand.objects.get(number=response.json()[0]["service_request_id"])
    assert (demand.demand_type, demand.urgency, demand.lat) == ("complaint", "normal", None)
    assert demand.address == "北京市东城区东华门街道南池子大街1号"
    assert demand.street.code == "110101001"  # the address resolved to its street


def test_post_needs_no_csrf_token(key):
    response = post(Client(enforce_csrf_checks=True), "json", submission(key))
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"api_key": None}, 403, ["api_key"]),
        ({"api_key": "not-a-key"}, 403, ["api_key"]),
        ({"service_code": None}, 400, ["service_code"]),
        ({"service_code": "999999"}, 404, ["999999"]),
        ({"description": "  "}, 400, ["description"]),
        ({"lat": None, "long": None, "address_string": None}, 400, ["address_string"]),
        ({"lat": "39.9", "long": None, "address_string": None}, 400, ["lat", "long"]),
        ({"lat": "north", "long": "116.4"}, 400, ["lat"]),
        ({"phone": None}, 400, ["phone", "回访"]),
        ({"phone": "12"}, 400, []),
        ({"attribute[demand_type]": "rant"}, 400, ["demand_type", "complaint"]),
        ({"media_url": "not a url"}, 400, ["media_url"]),
        ({"description": "长" * 4001}, 400, ["description", "4000"]),
    ],
)
def test_post_errors_use_the_spec_format(client, key, fmt, change, status, words):
    response = post(client, fmt, submission(key, **change))
    assert response.status_code == status
    description = errors(response, fmt)[0]["description"]
    assert all(word in description for word in words), description
    assert not Demand.objects.exists()


def test_post_lists_every_problem_at_once(client, key):
    response = post(client, "json", submission(key, description=None, phone=None))
    assert response.status_code == 400
    descriptions = [e["description"] for e in errors(response, "json")]
    assert len(descriptions) == 2
    assert "description" in descriptions[0] and "phone" in descriptions[1]


def test_an_inactive_key_is_refused(client, key):
    ApiKey.objects.update(is_active=False)
    assert post(client, "json", submission(key)).status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_idempotency_key_replays_the_first_request_and_refuses_another_body(client, key, fmt):
    first = post(client, fmt, submission(key), **{"Idempotency-Key": "retry-1"})
    again = post(client, fmt, submission(key), **{"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    number = items(first, fmt, "service_requests", "request")[0]["service_request_id"]
    assert items(again, fmt, "service_requests", "request")[0]["service_request_id"] == number
    assert Demand.objects.count() == 1

    other = post(client, fmt, submission(key, description="另一件事：路灯不亮。"), **{"Idempotency-Key": "retry-1"})
    assert other.status_code == 422  # CONTRACT.md: idempotency_mismatch
    assert "Idempotency-Key" in errors(other, fmt)[0]["description"]
    assert Demand.objects.count() == 1
    # Without the header, the same body is a second request.
    assert post(client, fmt, submission(key)).status_code == 200
    assert Demand.objects.count() == 2


# --- GET requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_carry_every_field_of_the_spec(client, now, fmt):
    dispatched = demand(lat="39.915000", long="116.404000", media_url="https://img.example.com/2.jpg")
    order = main_order(dispatched)
    [found] = requests_of(client, fmt)
    assert list(found) == REQUEST_FIELDS
    assert found["service_request_id"] == dispatched.number
    assert found["status"] == "open"
    assert found["status_notes"] == "已派单"  # the lead order's status
    assert (found["service_code"], found["service_name"]) == ("010101", "占道经营")
    assert found["description"] == "小区门口有人占道经营，影响通行。"
    assert found["agency_responsible"] == order.unit.name == "东华门街道"
    assert order.unit.name in found["service_notice"]
    assert found["requested_datetime"] == "2026-11-23T10:00:00+08:00"
    assert W3C.match(found["updated_datetime"]) and W3C.match(found["expected_datetime"])
    assert found["expected_datetime"] == timezone.localtime(order.deadline).isoformat(timespec="seconds")
    assert found["address"] == "北京市东城区东华门街道南池子大街1号"
    assert found["address_id"] is None and found["zipcode"] is None
    if fmt == "json":
        assert (found["lat"], found["long"]) == (39.915, 116.404)
    else:
        assert (found["lat"], found["long"]) == ("39.915", "116.404")
    assert found["media_url"] == "https://img.example.com/2.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_single_request_is_a_list_of_one(client, reference, fmt):
    created = demand()
    response = client.get(f"{BASE}/requests/{created.number}.{fmt}")
    assert response.status_code == 200
    [found] = items(response, fmt, "service_requests", "request")
    assert list(found) == REQUEST_FIELDS
    assert found["service_request_id"] == created.number


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_and_confidential_requests_are_404(client, reference, fmt):
    secret = demand(confidential=True)
    for number in ("2026010100001", secret.number):
        response = client.get(f"{BASE}/requests/{number}.{fmt}")
        assert response.status_code == 404
        assert number in errors(response, fmt)[0]["description"]
    assert requests_of(client, fmt) == []
    assert requests_of(client, fmt, service_request_id=secret.number) == []


def test_status_follows_the_disposition_and_the_lead_order(client, now, handler_a):
    dispatched, waiting, answer, refusal = demand(), pending(), answered(), refused()
    found = {r["service_request_id"]: r for r in requests_of(client, "json")}

    assert found[dispatched.number]["status"] == "open"
    assert found[waiting.number]["status"] == "open"
    assert found[waiting.number]["agency_responsible"] == "北京市12345市民服务热线"
    assert found[waiting.number]["status_notes"] == "待派单"
    assert found[waiting.number]["expected_datetime"] == "2026-11-24T10:00:00+08:00"  # 24 h to dispatch
    assert found[answer.number]["status"] == "closed"
    assert found[answer.number]["agency_responsible"] == "北京市12345市民服务热线"
    assert found[answer.number]["status_notes"] == "直接答复"
    assert found[answer.number]["expected_datetime"] is None
    # Refused matters (litigation, 信访, 纪检监察, emergencies) are not published at all.
    assert refusal.number not in found

    order = main_order(dispatched)
    dispatch_services.work_order_sign(order=order, by=handler_a)
    replied_at = timezone.now() + dt.timedelta(hours=3)
    feedback_services.work_order_reply(order=order, by=handler_a, at=replied_at, **REPLY)
    [after] = requests_of(client, "json", service_request_id=dispatched.number)
    assert after["status"] == "closed"
    assert after["status_notes"] == "已办结反馈"
    assert after["updated_datetime"] == timezone.localtime(replied_at).isoformat(timespec="seconds")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_merged_demand_follows_the_order_it_joined(client, now, handler_a, fmt):
    first = demand()
    order = main_order(first)
    repeat = demand(caller_phone="13900001111", caller_name="李四", action="merge", merge_into=order)

    [found] = requests_of(client, fmt, service_request_id=repeat.number)
    assert found["status"] == "open"
    assert found["agency_responsible"] == "东华门街道"
    assert found["expected_datetime"] == timezone.localtime(order.deadline).isoformat(timespec="seconds")
    assert found["status_notes"] == "已合并（重复件）：已派单"

    dispatch_services.work_order_sign(order=order, by=handler_a)
    feedback_services.work_order_reply(order=order, by=handler_a, **REPLY)
    [found] = requests_of(client, fmt, service_request_id=repeat.number)
    assert found["status"] == "closed"
    assert numbers(requests_of(client, fmt, status="closed")) == [repeat.number, first.number]


def test_a_redispatched_order_hands_the_request_to_the_new_unit(client, reference, handler_a, dispatcher):
    created = demand()
    order = dispatch_services.work_order_return(
        order=main_order(created),
        by=handler_a,
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
    )
    [returned] = requests_of(client, "json")
    assert (returned["status"], returned["agency_responsible"]) == ("open", "东华门街道")
    dispatch_services.work_order_redispatch(order=order, unit=Unit.objects.get(code="110101002"), by=dispatcher)
    [found] = requests_of(client, "json")
    assert found["agency_responsible"] == "景山街道"


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_and_service_code_filters(client, now, fmt):
    dispatched, waiting, answer, refusal = demand(), pending(), answered(), refused()
    assert set(numbers(requests_of(client, fmt, status="open"))) == {dispatched.number, waiting.number}
    assert set(numbers(requests_of(client, fmt, status="closed"))) == {answer.number}
    assert refusal.number not in numbers(requests_of(client, fmt, status="open,closed"))
    assert len(requests_of(client, fmt, status="open,closed")) == 3
    assert set(numbers(requests_of(client, fmt, service_code="090501,120103"))) == {waiting.number, answer.number}
    assert numbers(requests_of(client, fmt, service_code="090501", status="closed")) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_window_is_the_last_90_days_newest_first(client, now, fmt):
    old = make_demand(received_at=now - dt.timedelta(days=100))
    older_in_window = make_demand(received_at=now - dt.timedelta(days=89))
    recent = make_demand(received_at=now - dt.timedelta(days=1))
    assert numbers(requests_of(client, fmt)) == [recent.number, older_in_window.number]

    window = {"start_date": "2026-07-01T00:00:00+08:00", "end_date": (now - dt.timedelta(days=95)).isoformat()}
    assert numbers(requests_of(client, fmt, **window)) == [old.number]
    # Only a start: the 90 days from it.
    assert numbers(requests_of(client, fmt, start_date="2026-05-20")) == [old.number]
    # service_request_id overrides every other argument, the window included.
    found = requests_of(client, fmt, service_request_id=f"{old.number}, {recent.number}", status="closed")
    assert numbers(found) == [recent.number, old.number]


def test_an_unencoded_plus_in_the_offset_is_understood(client, now):
    recent = make_demand(received_at=now - dt.timedelta(days=1))
    response = client.get(f"{BASE}/requests.json?start_date=2026-11-20T00:00:00+08:00")
    assert response.status_code == 200
    assert numbers(response.json()) == [recent.number]


def test_at_most_the_first_1000_newest_requests(client, now, monkeypatch):
    monkeypatch.setattr("public.open311.selectors.MAX_RESULTS", 2)
    made = [make_demand(received_at=now - dt.timedelta(hours=h)) for h in (3, 1, 2)]
    assert numbers(requests_of(client, "json")) == [made[1].number, made[2].number]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "pending"),
    ],
)
def test_bad_filters_are_400(client, reference, fmt, params, word):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    assert word in errors(response, fmt)[0]["description"]


def test_the_list_costs_the_same_queries_for_one_request_or_many(client, now, handler_a):
    demand()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/requests.json").status_code == 200
        return len(captured)

    one = queries()
    first = demand()
    demand(action="merge", merge_into=main_order(first))
    pending()
    answered()
    refused()
    dispatch_services.work_order_sign(order=main_order(first), by=handler_a)
    assert len(requests_of(client, "json")) == 5  # the refused one is not published
    assert queries() == one <= 3


# --- privacy ----------------------------------------------------------------------------------


def test_callers_phone_and_name_never_appear_in_any_get(client, key, now):
    words = f"我是{CALLER_NAME}，电话{CALLER_PHONE}，邻居的手机 139-0000-1111 也能作证。"
    posted = post(
        client, "json", submission(key, description=words, address_string=f"南池子大街1号（{CALLER_NAME}家门口）")
    )
    created = posted.json()[0]["service_request_id"]
    demand(content=f"占道经营，请回电 +86 {CALLER_PHONE}。")
    paths = [f"requests.{fmt}" for fmt in FORMATS] + [f"requests/{created}.{fmt}" for fmt in FORMATS]
    for path in paths:
        body = client.get(f"{BASE}/{path}").content.decode()
        for secret in (CALLER_PHONE, CALLER_NAME, "13900001111", "139-0000-1111", "小明"):
            assert secret not in body, (path, secret)
        assert "138****5678" in body and "139****1111" in body
    [found] = requests_of(client, "json", service_request_id=created)
    assert found["description"] == "我是王**，电话138****5678，邻居的手机 139****1111 也能作证。"
    assert found["address"] == "南池子大街1号（王**家门口）"


# --- methods, formats, unknown paths ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_method_is_405_in_the_spec_format(client, reference, fmt):
    response = client.delete(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) >= {"GET", "POST"}
    errors(response, fmt)
    response = client.post(f"{BASE}/services.{fmt}")
    assert response.status_code == 405
    assert "POST" not in response["Allow"]
    errors(response, fmt)


@pytest.mark.parametrize("path", ["requests.html", "services/010101.csv", "services", "tokens/1.json"])
def test_an_unknown_format_or_resource_is_404(client, reference, path):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    errors(response, "json")


def test_an_unknown_resource_asked_in_xml_is_answered_in_xml(client, reference):
    response = client.get(f"{BASE}/tokens/1.xml")
    assert response.status_code == 404
    errors(response, "xml")


def test_english_clients_get_english_errors(client, reference):
    response = client.get(f"{BASE}/services/999999.json", headers={"Accept-Language": "en"})
    assert json.loads(response.content) == [{"code": 404, "description": "Service code 999999 was not found."}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_landlines_one_character_names_flats_and_reports_stay_private(client, now, fmt):
    from dispatch.services import demand_take
    from hotline.core.models import Category

    shown = demand_take(
        channel="phone",
        demand_type="complaint",
        category=Category.objects.get(code="010101"),
        content="楼下占道，请联系我家座机010-6512 3456或(010)65127788。",
        caller_phone="01065123456",
        caller_name="王",
        address="东城区景山街道景山前街5号楼2单元501室",
    )
    report = demand_take(
        channel="phone",
        demand_type="report",
        category=Category.objects.get(code="010101"),
        content="举报某科长收受贿赂",
        caller_phone="13700001111",
        address="东城区景山街道",
    )
    body = client.get(f"{BASE}/requests.{fmt}").content.decode()
    assert shown.number in body and report.number not in body
    for secret in ("6512 3456", "65123456", "65127788", "2单元501", "501室"):
        assert secret not in body
    assert "3456" in body  # the last four digits stay, as on the masked phone
