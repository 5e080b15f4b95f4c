import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_is_chinese(client, reference):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "用户名" in page and "密码" in page and "登录" in page


def test_login_and_logout(client, agent):
    response = login(client, "t_agent", PASSWORD)
    assert response.status_code == 302
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dispatch:desk")
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_a_wrong_password_says_so_and_keeps_the_username(client, agent):
    response = login(client, "t_agent", "nope")
    page = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码错误" in page
    assert 'value="t_agent"' in page


def test_five_failures_lock_the_username_out_for_30_minutes(client, agent, handler_a, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00")
    for _ in range(4):
        assert "用户名或密码错误" in login(client, "t_agent", "wrong").content.decode()
    assert login(client, "t_agent", "wrong").status_code == 429  # the fifth failure locks
    # The sixth attempt is refused even with the right password.
    response = login(client, "t_agent", PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    # The lockout is per username: another user logs in from the same address.
    assert login(Client(), "t_handler_a", PASSWORD).status_code == 302

    time_machine.move_to("2026-11-23 09:31:00+08:00")
    assert login(client, "t_agent", PASSWORD).status_code == 302


def test_the_api_token_endpoint_shares_the_lockout(api, agent):
    for _ in range(4):
        response = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": "wrong"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
    # The fifth failure locks the username.
    response = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": "wrong"}, format="json")
    assert response.status_code == 429
    response = api.post("/api/v1/auth/token/", {"username": "t_agent", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


@pytest.mark.parametrize(
    "role_fixture, home",
    [
        ("agent", "dispatch:desk"),
        ("dispatcher", "dispatch:dispatcher"),
        ("handler_a", "dispatch:unit"),
        ("supervisor", "dispatch:supervision"),
        ("leader", "reports:dashboard"),
        ("admin_user", "system"),
    ],
)
def test_each_role_lands_on_its_workbench(client, reference, request, role_fixture, home):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(home)


def test_a_role_cannot_open_another_roles_workbench(client, handler_a):
    client.force_login(handler_a)
    response = client.get(reverse("dispatch:dispatcher"))
    assert response.status_code == 403
    assert "不能打开" in response.content.decode()


def test_the_navigation_follows_the_role(client, handler_a, admin_user):
    client.force_login(handler_a)
    page = client.get(reverse("dispatch:unit")).content.decode()
    assert "本单位工单" in page and "派单队列" not in page
    client.force_login(admin_user)
    page = client.get(reverse("system")).content.decode()
    assert "派单队列" in page and "343" in page


def test_english_is_available_from_the_language_switch(client, agent):
    client.force_login(agent)
    assert "话务工作台" in client.get(reverse("dispatch:desk")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("dispatch:desk")})
    page = client.get(reverse("dispatch:desk")).content.decode()
    assert "Call workbench" in page and '<html lang="en">' in page
