"""Moving a unit in the organisation tree (a street handed to another district): the whole subtree's
paths follow in one transaction, so who sees which order is right the moment the move commits."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dispatch.selectors import work_orders_visible_to
from hotline.core.exceptions import Forbidden, InvalidInput
from hotline.core.models import Unit
from hotline.core.services import unit_move
from tests.conftest import DISTRICT, STREET_A
from tests.factories import UserFactory, main_order, make_demand

CHAOYANG = "110105"


def test_a_street_moved_to_another_district_takes_its_subtree_and_its_orders_along(
    district_handler, handler_a, admin_user
):
    street = Unit.objects.get(code=STREET_A)
    community = Unit.objects.create(code="110101001001", name="南池子社区", level="community", parent=street)
    order = main_order(make_demand(street=STREET_A))
    chaoyang_handler = UserFactory(username="t_chaoyang", role="handler", unit=Unit.objects.get(code=CHAOYANG))
    assert work_orders_visible_to(district_handler).filter(pk=order.pk).exists()
    assert not work_orders_visible_to(chaoyang_handler).filter(pk=order.pk).exists()

    unit_move(unit=street, parent=Unit.objects.get(code=CHAOYANG), by=admin_user)

    community.refresh_from_db()
    assert community.path == f"/12345/{CHAOYANG}/{STREET_A}/110101001001/"
    assert not work_orders_visible_to(district_handler).filter(pk=order.pk).exists()
    assert work_orders_visible_to(chaoyang_handler).filter(pk=order.pk).exists()
    handler_a.unit.refresh_from_db()  # as the next request loads the user
    assert work_orders_visible_to(handler_a).filter(pk=order.pk).exists()  # the street itself still does
    # The same through the browser and the API: the old district's user gets 404, the new one the order.
    old, new = Client(), Client()
    old.force_login(district_handler)
    new.force_login(chaoyang_handler)
    assert old.get(f"/api/v1/work-orders/{order.pk}/").status_code == 404
    assert new.get(f"/api/v1/work-orders/{order.pk}/").status_code == 200
    # And the move is in the unit's history.
    assert street.history.first().parent_id == Unit.objects.get(code=CHAOYANG).pk


def test_a_unit_cannot_move_under_itself_and_only_administrators_move_units(district_handler, admin_user):
    district = Unit.objects.get(code=DISTRICT)
    street = Unit.objects.get(code=STREET_A)
    with pytest.raises(InvalidInput):
        unit_move(unit=district, parent=street, by=admin_user)
    with pytest.raises(Forbidden):
        unit_move(unit=street, parent=Unit.objects.get(code=CHAOYANG), by=district_handler)
    district.parent = street
    with pytest.raises(ValidationError):
        district.full_clean()  # what the admin form runs
    assert Unit.objects.get(code=STREET_A).path == f"/12345/{DISTRICT}/{STREET_A}/"
