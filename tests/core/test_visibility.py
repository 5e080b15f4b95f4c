from hotline.core.choices import UnitLevel
from hotline.core.models import Unit, User
from hotline.core.selectors import units_visible_to, visible_to


def codes(user):
    return set(units_visible_to(user).values_list("code", flat=True))


def test_a_street_handler_sees_their_street_only(handler_a):
    assert codes(handler_a) == {"110101001"}


def test_a_district_user_sees_the_district_subtree(district_handler):
    visible = codes(district_handler)
    streets_of_dongcheng = set(
        Unit.objects.filter(parent__code="110101", level=UnitLevel.STREET).values_list("code", flat=True)
    )
    assert len(streets_of_dongcheng) == 17
    assert streets_of_dongcheng <= visible
    assert "110101" in visible
    assert "110105001" not in visible  # a street of 朝阳区
    assert "D01" not in visible  # a city department


def test_a_city_user_sees_everything(agent):
    assert codes(agent) == set(Unit.objects.values_list("code", flat=True))


def test_the_selector_scopes_any_model_through_its_unit(handler_a, handler_b, district_handler):
    users = User.objects.filter(pk__in=[handler_a.pk, handler_b.pk, district_handler.pk])
    assert set(visible_to(handler_a, users)) == {handler_a}
    assert set(visible_to(district_handler, users)) == {handler_a, handler_b, district_handler}


def test_a_user_without_unit_sees_nothing(reference):
    loner = User.objects.create(username="loner", role="handler")
    assert not units_visible_to(loner).exists()


def test_units_api_is_scoped_and_filterable(api, handler_a, district_handler):
    response = api.as_user(handler_a).get("/api/v1/units/")
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["results"]] == ["110101001"]

    response = api.as_user(district_handler).get("/api/v1/units/", {"level": "street", "page_size": 100})
    body = response.json()
    assert len(body["results"]) == 17 and body["next"] is None
    assert {u["parent"] for u in body["results"]} == {"110101"}


def test_units_api_pages_with_a_cursor(api, agent):
    response = api.as_user(agent).get("/api/v1/units/", {"level": "street"})
    first = response.json()
    assert len(first["results"]) == 50 and first["next"]
    seen = [u["code"] for u in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url).json()
        seen += [u["code"] for u in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 343


def test_another_units_object_is_404(api, handler_a):
    response = api.as_user(handler_a).get("/api/v1/units/110101002/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("/api/v1/units/110101001/").json()["name"] == "东华门街道"
