"""What the platform does at its edges: a database restart, Redis down, many logins from one address,
expired tokens, and the headers that keep personal information out of caches."""

import datetime as dt

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: a real refused connection


def terminate_this_connection():
    """What a PostgreSQL restart does to a web process: its connection is cut by the server."""
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_answers_503_with_retry_after_then_recovers_without_a_restart():
    from hotline.core.models import Unit
    from hotline.core.services import CENTER_CODE
    from tests.conftest import reference_data_load
    from tests.factories import UserFactory

    reference_data_load()
    user = UserFactory(username="t_leader_503", role="leader", unit=Unit.objects.get(code=CENTER_CODE))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    # The test client re-raises what Django logged as a request exception; a real server answers.
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    for path, client, is_api in [
        ("/api/v1/units/", api, True),
        ("/reports/list/", browser, False),
        ("/healthz", Client(raise_request_exception=False), False),
    ]:
        terminate_this_connection()
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.status_code)
        assert answer["Retry-After"] == "5"
        if is_api:
            assert answer.json()["code"] == "database_unavailable"
        assert client.get(path).status_code == 200, path  # the next request has a fresh connection


def test_the_health_probe_answers_ok_without_a_known_host(db):
    answer = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "hotline.core.cache.FailoverRedisCache", "LOCATION": DEAD_REDIS}}


def test_with_redis_down_the_portal_and_token_logins_work_and_limits_still_count(reference, agent, redis_down, caplog):
    from intake.models import Demand
    from public.views import SUBMISSIONS_PER_WINDOW

    client = Client()
    form = {
        "demand_type": "complaint",
        "category": "010101",
        "content": "景山前街有人摆摊占道。",
        "address": "东城区景山街道景山前街",
        "caller_name": "陈女士",
        "caller_phone": "13633334444",
    }
    for i in range(SUBMISSIONS_PER_WINDOW):
        # "Is it one of these?" answered "a different matter": the same text twice would be asked.
        answered = {**form, "idempotency_key": f"redis-down-{i}", "nearby_answered": "1"}
        assert client.post("/portal/", answered).status_code == 302
    assert Demand.objects.count() == SUBMISSIONS_PER_WINDOW
    # The limit is still enforced, from this process's memory.
    assert client.post("/portal/", {**form, "idempotency_key": "one-too-many"}).status_code == 429
    token = APIClient().post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json")
    assert token.status_code == 200 and token.json()["token"]
    assert "Redis is unreachable" in caplog.text


def test_one_address_trying_many_usernames_is_stopped(reference, agent, settings):
    settings.HOTLINE_LOGIN_FAILURES_PER_IP = 10
    browser, api = Client(), APIClient()
    for i in range(5):
        assert browser.post("/accounts/login/", {"username": f"guess{i}", "password": "x" * 12}).status_code == 200
        assert (
            api.post("/api/v1/auth/token/", {"username": f"api{i}", "password": "x"}, format="json").status_code == 401
        )
    # Ten failures from one address, each on a different username (axes locks none of them): no more answers.
    page = browser.post("/accounts/login/", {"username": "t_agent", "password": PASSWORD})
    assert page.status_code == 429 and 'value="t_agent"' in page.content.decode()
    refused = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_failures"
    # Another address is not affected.
    other = APIClient(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json").status_code
        == 200
    )


def test_over_long_usernames_and_passwords_are_refused_not_a_500(reference):
    long_name = "a" * 300
    assert Client().post("/accounts/login/", {"username": long_name, "password": "x"}).status_code == 200
    answer = APIClient().post("/api/v1/auth/token/", {"username": long_name, "password": "x"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    answer = APIClient().post("/api/v1/auth/token/", {"username": "t", "password": "x" * 5000}, format="json")
    assert answer.status_code == 400


def test_api_tokens_expire_and_can_be_revoked(agent, time_machine):
    time_machine.move_to("2026-11-02 09:00:00+08:00")
    api = APIClient()
    issued = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json").json()
    assert issued["expires_at"].startswith("2026-12-02")
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get("/api/v1/units/").status_code == 200
    time_machine.move_to("2026-12-03 09:00:00+08:00")
    expired = api.get("/api/v1/units/")
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"
    fresh = APIClient().post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json").json()
    assert fresh["token"] != issued["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {fresh['token']}")
    assert api.get("/api/v1/units/").status_code == 200
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/units/").status_code == 401
    assert not Token.objects.exists()


def test_staff_sessions_end_after_30_idle_minutes_and_not_while_working(client, agent, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00", tick=False)
    client.post("/accounts/login/", {"username": "t_agent", "password": PASSWORD})
    for minutes in (20, 40, 60):  # a request every 20 minutes keeps the session
        time_machine.move_to(
            dt.datetime(2026, 11, 23, 9, minutes % 60, tzinfo=dt.timezone(dt.timedelta(hours=8)))
            + dt.timedelta(hours=minutes // 60),
            tick=False,
        )
        assert client.get("/dispatch/desk/").status_code == 200
    time_machine.shift(dt.timedelta(minutes=31))
    assert client.get("/dispatch/desk/").status_code == 302  # back to the login page


def test_pages_and_api_answers_carry_csp_and_no_store(client, agent, api):
    client.force_login(agent)
    page = client.get("/dispatch/desk/")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["Cache-Control"] == "no-store"
    api.force_authenticate(agent)
    assert api.get("/api/v1/units/")["Cache-Control"] == "no-store"
    assert Client().get("/portal/")["Cache-Control"] == "no-store"
    assert "no-store" not in Client().get("/public/rankings/").get("Cache-Control", "")
