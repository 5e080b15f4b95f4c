"""Pickers instead of codes (issue 22, points 3–5): a dispatcher names the lead unit as people say it,
a filter takes a category by its name, and a district's queue says which unit holds each order, how
long it has left, and finds an order by its number or words."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from hotline.core.forms import UnitField
from hotline.core.models import Unit
from intake.forms import CategoryField
from tests.conftest import DISTRICT, STREET_A, STREET_B
from tests.factories import UserFactory, main_order, make_demand

NOT_ROUTED = "090501"  # 网络信号差: no catalogue rule, the demand waits for a dispatcher


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_unit_is_picked_by_its_name_its_code_or_the_pickers_own_text(reference):
    field = UnitField()
    dhm = Unit.objects.get(code=STREET_A)
    assert field.clean("东华门街道") == dhm
    assert field.clean(" 东华门 ") == dhm  # a part of a name only one unit has
    assert field.clean(f"{STREET_A} 东华门街道") == dhm and field.clean(STREET_A) == dhm
    # A name many units share is not guessed: the error names them, with their district, to choose from.
    try:
        field.clean("街道")
    except Exception as exc:  # noqa: BLE001 - the ValidationError's text is the point
        assert "街道" in str(exc) and "(" in str(exc)
    else:
        raise AssertionError("an ambiguous name was accepted")


def test_pickers_take_pinyin_initials(reference, dispatcher, agent):
    """拼音首字母: jdk is 交道口街道; a character with two readings matches by either (长 cháng/zhǎng)."""
    import pytest
    from django import forms

    assert UnitField().clean("jdk").name == "交道口街道"
    assert UnitField().clean("JDKJD").name == "交道口街道"
    assert UnitField().clean("cxd").name == "长辛店街道"
    assert CategoryField().clean("zdjy").code == "010101"
    # Letters two names share are not guessed: 东华门 and 大红门 are both dhm; the error names both.
    with pytest.raises(forms.ValidationError) as caught:
        UnitField().clean("dhm")
    assert "东华门街道" in str(caught.value) and "大红门街道" in str(caught.value)
    with pytest.raises(forms.ValidationError):
        UnitField().clean("qqqqq")
    # The type-ahead lists show the initials, so that the browser offers the row as they are typed.
    make_demand(category=NOT_ROUTED, by=agent)
    page = browser(dispatcher).get("/dispatch/").content.decode()
    assert "dhmjd" in page


def test_a_category_is_picked_by_its_name_or_path_and_a_filter_takes_a_branch(reference):
    assert CategoryField().clean("占道经营").code == "010101"
    assert CategoryField().clean("城市管理 › 市容环境 › 占道经营").code == "010101"
    branch = CategoryField(leaves_only=False).clean("01")
    assert branch.level == 1


def test_the_dispatcher_types_a_units_name_and_the_demand_number_opens_the_demand(dispatcher, agent):
    demand = make_demand(category=NOT_ROUTED, by=agent)
    client = browser(dispatcher)
    page = client.get("/dispatch/").content.decode()
    assert f'href="/dispatch/demands/{demand.pk}/"' in page
    assert f'value="{STREET_A} 东华门街道"' in page  # the lead unit filled in by name, not a bare code
    assert 'list="dispatch-unit-list"' in page and '<datalist id="dispatch-unit-list">' in page

    form = {"main_unit": "东华门街道", "assisting_units": "景山街道", "complexity": "ordinary", "note": ""}
    response = client.post(f"/dispatch/demands/{demand.pk}/dispatch/", form)
    assert response.status_code == 302
    demand.refresh_from_db()
    assert main_order(demand).unit.code == STREET_A
    assert demand.work_orders.get(role="assist").unit.code == STREET_B

    shown = client.get(f"/dispatch/demands/{demand.pk}/")
    assert shown.status_code == 200 and main_order(demand).number in shown.content.decode()


def test_an_unknown_unit_name_is_refused_and_what_was_typed_is_kept(dispatcher, agent):
    demand = make_demand(category=NOT_ROUTED, by=agent)
    form = {"main_unit": "不存在的单位", "assisting_units": "", "complexity": "ordinary", "note": ""}
    response = browser(dispatcher).post(f"/dispatch/demands/{demand.pk}/dispatch/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "不存在的单位" in html and 'value="不存在的单位"' in html
    demand.refresh_from_db()
    assert demand.disposition == "pending_dispatch"


def test_the_district_queue_names_the_unit_filters_by_name_and_finds_a_number(reference, agent):
    district = UserFactory(username="t_dc_handler", role="handler", unit=Unit.objects.get(code=DISTRICT))
    a = main_order(make_demand(street=STREET_A, content="南池子大街占道经营。", by=agent))
    b = main_order(make_demand(street=STREET_B, category="020101", content="景山前街暖气不热。", by=agent))
    client = browser(district)

    page = client.get("/dispatch/unit/").content.decode()
    assert "东华门街道" in page and "景山街道" in page  # the 承办单位 column
    assert "left" in page or "剩余" in page or "后到期" in page  # the time left beside the deadline

    by_category = client.get("/dispatch/unit/", {"category": "占道经营"}).content.decode()
    assert a.number in by_category and b.number not in by_category
    by_unit = client.get("/dispatch/unit/", {"unit": "景山街道"}).content.decode()
    assert b.number in by_unit and a.number not in by_unit
    by_number = client.get("/dispatch/unit/", {"q": a.number[-6:]}).content.decode()
    assert a.number in by_number and b.number not in by_number
    by_words = client.get("/dispatch/unit/", {"q": "暖气"}).content.decode()
    assert b.number in by_words and a.number not in by_words

    # A category nobody has is said, not answered with an empty list.
    unknown = client.get("/dispatch/unit/", {"category": "没有这种事"}).content.decode()
    assert "没有这种事" in unknown and "invalid-feedback" in unknown


def test_an_overdue_order_says_by_how_long_in_red(reference, agent, handler_a):
    order = main_order(make_demand(by=agent))
    order.deadline = timezone.now() - dt.timedelta(hours=5, minutes=10)
    order.save(update_fields=["deadline"])
    page = browser(handler_a).get("/dispatch/unit/").content.decode()
    assert "text-danger" in page and ("5小时" in page or "5 hours" in page)
