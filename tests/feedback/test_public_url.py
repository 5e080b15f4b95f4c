"""The evaluation link of the text message opens where the platform runs (issue 22, point 12): without
HOTLINE_PUBLIC_URL, the scheme, host and port people reach it at; with it, the setting."""

from django.core.cache import cache
from django.test import Client

from feedback.models import EvaluationLink
from hotline.core import middleware
from tests.feedback.test_feedback import accepted  # noqa: F401 - the fixture: a reply accepted, a link sent


def test_without_a_setting_the_link_uses_the_address_the_platform_is_reached_at(
    accepted,  # noqa: F811
    settings,
    monkeypatch,
):
    settings.HOTLINE_PUBLIC_URL = ""
    settings.DEBUG = True  # the demo of make run; in production the setting is the address
    monkeypatch.setattr(middleware, "_public_url_seen", "")
    cache.delete(middleware.PUBLIC_URL_CACHE)
    Client(HTTP_HOST="localhost:8123").get("/portal/")
    link = EvaluationLink.objects.get(order=accepted)
    assert link.url() == f"http://localhost:8123/e/{link.token}/"
    # A forged Host header is refused by Django and not remembered.
    Client(HTTP_HOST="evil.example:9999").get("/portal/")
    assert link.url().startswith("http://localhost:8123/")


def test_the_setting_wins(accepted, settings):  # noqa: F811
    settings.HOTLINE_PUBLIC_URL = "https://12345.beijing.example/"
    Client(HTTP_HOST="localhost:8123").get("/portal/")
    link = EvaluationLink.objects.get(order=accepted)
    assert link.url() == f"https://12345.beijing.example/e/{link.token}/"


def test_a_wildcard_host_list_teaches_nothing(accepted, settings, monkeypatch):  # noqa: F811
    settings.HOTLINE_PUBLIC_URL = ""
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.setattr(middleware, "_public_url_seen", "")
    cache.delete(middleware.PUBLIC_URL_CACHE)
    Client(HTTP_HOST="phishing.example").get("/portal/")
    link = EvaluationLink.objects.get(order=accepted)
    assert "phishing.example" not in link.url()
