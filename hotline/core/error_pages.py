"""The platform's own error pages in place of Django's technical ones (the demo of `make run` runs with
DEBUG on): a middleware of its own, beside the views that draw the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .views import page_not_found, server_error

# Django's technical pages, HTML ("<code>DEBUG = True</code>") and plain text (a client not asking for HTML).
TECHNICAL_MARK = b"DEBUG = True"


class OwnErrorPagesMiddleware:
    """The platform's own 404 and 500 pages (in the reader's language) even with DEBUG on, as `make run`
    runs the demo: Django's technical pages are for developers, who ask for them with
    HOTLINE_TECHNICAL_ERRORS=1. A 500 is logged by Django before its page is replaced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        if (
            settings.DEBUG
            and not settings.HOTLINE_TECHNICAL_ERRORS
            and response.status_code in (404, 500)
            and not getattr(response, "streaming", False)
            and TECHNICAL_MARK in response.content
        ):
            return page_not_found(request) if response.status_code == 404 else server_error(request)
        return response
