"""Optional two-step login (TOTP) for administrators and leaders: once on, neither the browser nor the
token API lets the password alone in; a code is used once; other roles are not offered it."""

import datetime as dt

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import PASSWORD


def code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def log_in(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def wait_out_the_throttle(time_machine):
    """After a wrong code django-otp refuses every code for a moment (1 s, then doubling)."""
    time_machine.shift(dt.timedelta(seconds=3))


@pytest.fixture
def enrolled_leader(leader, time_machine):
    time_machine.move_to(dt.datetime.now(dt.UTC))
    client = log_in(leader.username)
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"action": "confirm", "token": "000000"}).status_code == 400
    wait_out_the_throttle(time_machine)
    assert client.post("/accounts/otp/setup/", {"action": "confirm", "token": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return leader, device


def test_after_turning_it_on_a_login_needs_the_code_too(enrolled_leader, time_machine):
    leader, device = enrolled_leader
    client = log_in(leader.username)  # the password is right…
    blocked = client.get("/reports/list/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/otp/?next=")
    assert client.get("/api/v1/units/").json()["code"] == "otp_required"
    assert client.post("/accounts/otp/", {"token": "123456", "next": "/reports/list/"}).status_code == 400
    wait_out_the_throttle(time_machine)
    answer = client.post("/accounts/otp/", {"token": code(device, drift=1), "next": "/reports/list/"})
    assert answer.status_code == 302 and answer["Location"] == "/reports/list/"
    assert client.get("/reports/list/").status_code == 200
    # The same code does not open a second session (no replay).
    other = log_in(leader.username)
    assert other.post("/accounts/otp/", {"token": code(device, drift=1)}).status_code == 400


def test_the_token_api_asks_for_the_code_as_well(enrolled_leader):
    leader, device = enrolled_leader
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": leader.username, "password": PASSWORD}, format="json")
    assert refused.status_code == 401 and refused.json()["code"] == "otp_required"
    issued = api.post(
        "/api/v1/auth/token/",
        {"username": leader.username, "password": PASSWORD, "otp": code(device, drift=1)},
        format="json",
    )
    assert issued.status_code == 200 and issued.json()["token"]


def test_a_next_address_elsewhere_is_not_followed(enrolled_leader):
    leader, device = enrolled_leader
    client = log_in(leader.username)
    answer = client.post("/accounts/otp/", {"token": code(device, drift=1), "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_only_administrators_and_leaders_are_offered_it_and_others_log_in_as_before(agent, admin_user):
    agent_client = log_in(agent.username)
    assert agent_client.get("/accounts/otp/setup/").status_code == 403
    assert agent_client.get("/dispatch/desk/").status_code == 200
    assert "otp-setup-link" not in agent_client.get("/dispatch/desk/").content.decode()
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/accounts/otp/setup/").status_code == 200


def test_turning_it_off_needs_a_verified_session_and_restores_the_password_login(enrolled_leader):
    leader, device = enrolled_leader
    unverified = log_in(leader.username)
    assert unverified.post("/accounts/otp/setup/", {"action": "remove"}).status_code == 302  # to the code step
    assert TOTPDevice.objects.filter(user=leader, confirmed=True).exists()
    unverified.post("/accounts/otp/", {"token": code(device, drift=1)})
    assert unverified.post("/accounts/otp/setup/", {"action": "remove"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    assert log_in(leader.username).get("/reports/list/").status_code == 200
