"""Request plumbing that every page and API answer shares: the health probe, the answer when the
database is unreachable, and the headers that keep personal information out of caches."""

from __future__ import annotations

import logging
import time
from urllib.parse import unquote_to_bytes

from django.db import DataError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
# Seconds a client should wait before retrying when the database is restarting (it comes back in < 1 s
# with CONN_HEALTH_CHECKS; docs/reliability.md).
RETRY_AFTER_SECONDS = 5


class HealthCheckMiddleware:
    """`GET /healthz`: 200 when this process can reach the database, 503 when it cannot. Answered before
    host validation and the HTTPS redirect, so a container's own probe on 127.0.0.1 over plain HTTP works
    with any ALLOWED_HOSTS; it tells nothing but "ok" or "unavailable"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except (OperationalError, InterfaceError):
            log.warning("health probe: the database is unreachable")
            close_broken_connection()
            return JsonResponse(
                {"status": "unavailable"},
                status=503,
                headers={"Cache-Control": "no-store", "Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's JSON error, a short page for a browser."""
    detail = _("The database is restarting; try again in a few seconds.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"code": "database_unavailable", "detail": detail}, status=503, headers=headers)
    return HttpResponse(
        f"<!doctype html><meta charset=utf-8><title>503</title><p>{detail}</p>", status=503, headers=headers
    )


def close_broken_connection() -> None:
    """Drop the connection a restart broke, so the next request of this process opens a fresh one."""
    try:
        connection.close()
    except Exception:  # the connection is already gone
        pass


class DatabaseUnavailableMiddleware:
    """A PostgreSQL restart or failover drops the connections: the requests caught in it are answered
    503 with Retry-After instead of a bare 500, and the broken connection is closed so the next request
    opens a fresh one (the process recovers without a restart)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:  # raised by middleware before the view
            return self.unavailable(request, exc)

    def process_exception(self, request: HttpRequest, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return self.unavailable(request, exception)
        return None

    @staticmethod
    def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.__class__.__name__)
        close_broken_connection()
        return database_unavailable(request)


class NoStoreMiddleware:
    """Pages and API answers of signed-in staff and of the citizen portal carry personal information:
    `Cache-Control: no-store` keeps them out of browser and proxy caches. Static files are untouched."""

    PUBLIC_PREFIXES = ("/static/", "/api/schema/", "/api/docs/", "/public/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not request.path.startswith(self.PUBLIC_PREFIXES) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class IdleTimeoutMiddleware:
    """Signed-in sessions expire SESSION_COOKIE_AGE after the last request, not after the login: the
    session is renewed (saved with a new expiry) at most once a minute, not written on every request."""

    RENEW_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("_renewed", 0) >= self.RENEW_EVERY:
                session["_renewed"] = now
        return self.get_response(request)


def bad_input(request: HttpRequest, detail: str) -> HttpResponse:
    """400 with a machine-readable reason for the API, a short page for a browser."""
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"code": "invalid_input", "detail": detail}, status=400)
    return HttpResponse(f"<!doctype html><meta charset=utf-8><title>400</title><p>{detail}</p>", status=400)


class InputGuardMiddleware:
    """Input no field of the platform can hold is refused at the door, for every URL at once:

    * NUL characters (PostgreSQL text cannot contain them: psycopg2 raised ValueError, a 500) in the
      path, the query string, a form body or a JSON body. Uploaded files are not inspected.
    * A value the database refuses as out of its range (an id or page of 20 digits, a date in the year
      200000): DataError from any view answers 400, not 500.
    """

    TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/")

    def __init__(self, get_response=None):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if self._has_nul(request):
            return bad_input(request, _("The request contains a NUL character, which no field accepts."))
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type.startswith(self.TEXT_BODIES):
            body = request.body
            if request.content_type == "application/x-www-form-urlencoded":
                body = unquote_to_bytes(body)
            if b"\x00" in body or (request.content_type == "application/json" and b"\\u0000" in body):
                return True
        return False

    def process_exception(self, request: HttpRequest, exception):
        if isinstance(exception, DataError):
            log.warning(
                "input out of the database's range on %s %s: %s",
                request.method,
                request.path,
                str(exception).splitlines()[0],
            )
            return bad_input(request, _("A value is out of range (too large a number or an impossible date)."))
        return None


class OtpRequiredMiddleware:
    """After django-otp's OTPMiddleware: a user with an authenticator app whose session has not passed the
    second step reaches nothing but that step (and logout): pages redirect to it, API calls made with
    the session are 403 `otp_required`."""

    # The verify step itself (exactly: its setup page is behind the gate, or a password alone could turn
    # the second factor off), logout, and what any page needs to render.
    EXEMPT_PATHS = frozenset({"/accounts/otp/", "/accounts/logout/", HEALTH_PATH})
    EXEMPT_PREFIXES = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        from . import otp

        exempt = request.path in self.EXEMPT_PATHS or request.path.startswith(self.EXEMPT_PREFIXES)
        if not exempt and otp.must_verify(request):
            if request.path.startswith(("/api/", "/open311/")):
                return JsonResponse(
                    {"code": "otp_required", "detail": _("Enter the code of your authenticator app first.")}, status=403
                )
            from django.shortcuts import redirect
            from django.urls import reverse
            from django.utils.http import urlencode

            return redirect(f"{reverse('otp-verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


PUBLIC_URL_CACHE = "hotline:public-url"
_public_url_seen = ""


def public_url(path: str = "/") -> str:
    """The address citizens reach the platform at, for links in text messages (评价链接): the setting
    HOTLINE_PUBLIC_URL when it is set; otherwise the scheme, host and port of the last request the
    platform served (PublicUrlMiddleware), so a demo on another port sends links that open; otherwise
    the development server's address."""
    from django.conf import settings
    from django.core.cache import cache

    base = settings.HOTLINE_PUBLIC_URL or _public_url_seen or cache.get(PUBLIC_URL_CACHE) or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


class PublicUrlMiddleware:
    """Without HOTLINE_PUBLIC_URL, in the demo (DEBUG on), remember where people reach the platform: the
    text messages that a worker sends later use the same address. Only a Host header that ALLOWED_HOSTS
    names one by one is trusted (never with a wildcard), and never in production: there the setting is
    the address (docker-compose sets it from HOTLINE_SITE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        global _public_url_seen
        from django.conf import settings

        if not settings.HOTLINE_PUBLIC_URL and settings.DEBUG and "*" not in settings.ALLOWED_HOSTS:
            try:
                base = f"{request.scheme}://{request.get_host()}"
            except Exception:  # DisallowedHost: CommonMiddleware answers it; nothing is remembered
                base = ""
            if base and base != _public_url_seen:
                from django.core.cache import cache

                cache.set(PUBLIC_URL_CACHE, base, None)
                _public_url_seen = base
        return self.get_response(request)
