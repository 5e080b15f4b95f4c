from django.core.management import call_command
from django.test import Client

from hotline.core.models import CalendarYear, Unit, User


def test_seeddemo_creates_the_contract_users_and_is_idempotent(reference, settings):
    call_command("seeddemo")
    count = User.objects.count()
    call_command("seeddemo")
    assert User.objects.count() == count

    for username in ["admin", "agent", "dispatcher", "callback", "supervisor", "leader", "kbeditor"]:
        assert User.objects.filter(username=username, is_active=True).exists(), username
    handler = User.objects.get(username="h110101001")
    assert (handler.unit.name, handler.role) == ("东华门街道", "handler")
    assert User.objects.get(username="l110101001").role == "unit_leader"
    # A handler and a leader for every street, district sub-center, city department and enterprise.
    units = Unit.objects.filter(level__in=["street", "district", "department", "enterprise"])
    assert User.objects.filter(role="handler", unit__in=units).count() == units.count()
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= {2024, 2025, 2026}

    for username in ["h110101001", "admin"]:
        response = Client().post("/accounts/login/", {"username": username, "password": settings.HOTLINE_DEMO_PASSWORD})
        assert response.status_code == 302, username
