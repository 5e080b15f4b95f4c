"""The subtree filter of lists (a list of unit ids since issue 9): a parentless unit is not the center,
the center sees every row that has a unit, and frozen snapshots keep their orders."""

import pytest
from django.db.models import ProtectedError
from django.test import Client

from assessment.models import Scheme, Snapshot, SnapshotOrder
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.factories import UserFactory, main_order, make_demand


def test_a_unit_without_parent_sees_only_its_own_rows(reference):
    main_order(make_demand())
    stray = Unit.objects.create(code="X1", name="新建单位", level="street", parent=None)
    handler = UserFactory(username="t_stray", role="handler", unit=stray)
    client = Client()
    client.force_login(handler)
    assert client.get("/api/v1/work-orders/").json()["results"] == []


def test_the_center_lists_only_rows_with_a_unit(reference, api):
    admin = UserFactory(username="t_center_admin", role="admin", unit=Unit.objects.get(code=CENTER_CODE))
    UserFactory(username="t_nounit", role="handler", unit=None, is_superuser=True)
    names = [u["username"] for u in api.as_user(admin).get("/api/v1/users/?page_size=500").json()["results"]]
    assert "t_center_admin" in names and "t_nounit" not in names


def test_an_order_in_a_frozen_snapshot_cannot_be_deleted(reference):
    import datetime as dt

    order = main_order(make_demand())
    scheme = Scheme.objects.create(version=99, valid_from=dt.date(2020, 1, 1))
    snapshot = Snapshot.objects.create(period=dt.date(2026, 10, 1), scheme=scheme, computed_at=order.dispatched_at)
    SnapshotOrder.objects.create(
        snapshot=snapshot,
        order=order,
        unit=order.unit,
        contacted=True,
        resolution="resolved",
        satisfaction="satisfied",
        response_score=100,
        resolution_score=100,
        satisfaction_score=100,
    )
    with pytest.raises(ProtectedError):
        type(order).objects.filter(pk=order.pk).delete()
