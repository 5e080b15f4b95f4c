import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dispatch.models import TimeLimitPolicy
from hotline.core.models import CalendarYear, Category, Unit, User
from intake.models import ApiKey


def test_seeddemo_creates_the_contract_users_and_is_idempotent(reference, settings):
    settings.DEBUG = True  # make run's embedded default
    call_command("seeddemo")
    count = User.objects.count()
    call_command("seeddemo")
    assert User.objects.count() == count

    for username in ["admin", "agent", "dispatcher", "callback", "supervisor", "leader", "kbeditor", "kbeditor2"]:
        assert User.objects.filter(username=username, is_active=True).exists(), username
    # Two editors: what one submits, the other reviews and publishes (issue 22, point 17).
    assert User.objects.get(username="kbeditor2").role == "kb_editor"
    handler = User.objects.get(username="h110101001")
    assert (handler.unit.name, handler.role) == ("东华门街道", "handler")
    assert User.objects.get(username="l110101001").role == "unit_leader"
    # A handler and a leader for every street, district sub-center, city department and enterprise.
    units = Unit.objects.filter(level__in=["street", "district", "department", "enterprise"])
    assert User.objects.filter(role="handler", unit__in=units).count() == units.count()
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= {2024, 2025, 2026}
    # 主动治理 to show on the first run, made once: a 每月一题 at work, an action verified, one to verify.
    from governance.models import Consultation, ProactiveAction, Topic

    assert Topic.objects.get(kind="monthly").status == "in_progress"
    assert sorted(ProactiveAction.objects.values_list("status", flat=True)) == ["submitted", "verified"]
    assert Consultation.objects.count() == 1

    for username in ["h110101001", "admin"]:
        response = Client().post("/accounts/login/", {"username": username, "password": settings.HOTLINE_DEMO_PASSWORD})
        assert response.status_code == 302, username


def test_seeddemo_refuses_a_production_deployment_unless_forced(reference, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="bootstrap"):
        call_command("seeddemo")
    assert not User.objects.filter(username="admin").exists() and not ApiKey.objects.exists()
    call_command("seeddemo", "--force")  # a demo server, said so
    assert User.objects.filter(username="admin").exists()


def test_bootstrap_sets_up_production_with_one_administrator_and_no_demo(reference, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("HOTLINE_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="HOTLINE_ADMIN_PASSWORD"):
        call_command("bootstrap", "--noinput")
    assert not User.objects.exists()
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="refused"):
        call_command("bootstrap", "--noinput")
    assert not User.objects.exists()

    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "Rx7-城市热线-2026")
    call_command("bootstrap", "--noinput", "--username", "ops")
    admin = User.objects.get()
    assert (admin.username, admin.is_superuser, admin.role, admin.unit.code) == ("ops", True, "admin", "12345")
    assert Unit.objects.filter(level="street").count() == 343 and Category.objects.exists()
    assert TimeLimitPolicy.objects.exists() and set(CalendarYear.objects.values_list("year", flat=True)) >= {2026}
    assert not ApiKey.objects.exists()  # no public Open311 key
    assert Client().post("/accounts/login/", {"username": "ops", "password": "Rx7-城市热线-2026"}).status_code == 302
    assert (
        Client().post("/accounts/login/", {"username": "admin", "password": settings.HOTLINE_DEMO_PASSWORD}).status_code
        == 200
    )  # no demo admin

    # A restart runs it again: nothing reset, no second administrator.
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "another-password-9x")
    call_command("bootstrap", "--noinput")
    assert User.objects.count() == 1
    assert Client().post("/accounts/login/", {"username": "ops", "password": "Rx7-城市热线-2026"}).status_code == 302
