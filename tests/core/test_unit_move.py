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


def _admin_change(client, street, parent):
    return client.post(
        f"/admin/core/unit/{street.pk}/change/",
        {
            "code": street.code,
            "name": street.name,
            "level": street.level,
            "parent": parent.pk,
            "population": street.population or "",
            "is_active": "on",
        },
    )


def test_the_admin_form_moves_a_unit_through_the_service(admin_user):
    """Changing a street's parent in the Django admin moves its subtree (unit_move), as the service does."""
    street = Unit.objects.get(code=STREET_A)
    community = Unit.objects.create(code="110101001002", name="北池子社区", level="community", parent=street)
    client = Client()
    client.force_login(admin_user)
    response = _admin_change(client, street, Unit.objects.get(code=CHAOYANG))
    assert response.status_code == 302, response.content[:2000]
    community.refresh_from_db()
    assert community.path == f"/12345/{CHAOYANG}/{STREET_A}/110101001002/"


def test_staff_who_are_not_administrators_cannot_move_a_unit_from_the_admin(reference):
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="t_staff", role="dispatcher", unit=Unit.objects.get(code="12345"), is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_unit", "view_unit"]))
    street = Unit.objects.get(code=STREET_A)
    client = Client()
    client.force_login(staff)
    response = _admin_change(client, street, Unit.objects.get(code=CHAOYANG))
    assert response.status_code == 302
    street.refresh_from_db()
    assert street.parent.code == DISTRICT  # refused by unit_move: the street stays where it was
    from django.contrib import messages

    refused = [m for m in response.wsgi_request._messages if m.level == messages.ERROR]
    assert len(refused) == 1  # and the admin says why (只有系统管理员可以调整组织架构)
