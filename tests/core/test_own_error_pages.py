"""The platform's own error pages (issue 22, point 16), in the reader's language, also in the demo that
`make run` runs with DEBUG on: never Django's technical pages in English."""

from django.test import Client

from tests.conftest import CENTER_CODE, unit
from tests.factories import UserFactory


def test_a_missing_page_is_the_platforms_own_even_with_debug_on(reference, settings):
    settings.DEBUG = True
    user = UserFactory(username="t_err", role="agent", unit=unit(CENTER_CODE))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    for url in ("/no/such/page/", "/dispatch/orders/999999/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 404
        assert "DEBUG = True" not in html and "Page not found" not in html
        assert "返回我的工作台" in html or "Back to my workbench" in html


def test_a_developer_asks_for_the_technical_page(reference, settings):
    settings.DEBUG = True
    settings.HOTLINE_TECHNICAL_ERRORS = True
    assert "DEBUG = True" in Client().get("/no/such/page/").content.decode()


def test_an_expired_form_says_so_in_chinese(reference, settings):
    settings.DEBUG = True
    user = UserFactory(username="t_csrf", role="agent", unit=unit(CENTER_CODE))
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    response = client.post("/dispatch/desk/", {"content": "x"}, HTTP_REFERER="http://testserver/dispatch/desk/")
    html = response.content.decode()
    assert response.status_code == 403 and 'id="csrf-failure"' in html
    assert "CSRF verification failed" not in html and "页面已过期" in html
    assert 'href="http://testserver/dispatch/desk/"' in html  # back to the form
    # A Referer from another site is not offered as the way back.
    other = client.post("/dispatch/desk/", {"content": "x"}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in other.content.decode()
