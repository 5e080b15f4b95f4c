"""Rate limits by client address (the citizen portal's submissions and lookups, failed staff logins).

Counts live in the shared cache (Redis in a deployment). A cache outage never fails a request: the
cache backend falls back to this process's memory (hotline.core.cache), so the limits keep counting
per process until Redis is back."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind N trusted reverse proxies (HOTLINE_TRUSTED_PROXIES = N), the
    N-th address from the right of X-Forwarded-For; otherwise the peer address."""
    hops = settings.HOTLINE_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "unknown")


def _key(request: HttpRequest, scope: str) -> str:
    return f"rate-{scope}:{client_ip(request)}"


def hit(request: HttpRequest, scope: str, window: int) -> int:
    """Count one more event of `scope` from the client's address; the count in the current window."""
    key = _key(request, scope)
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def count(request: HttpRequest, scope: str) -> int:
    return cache.get(_key(request, scope), 0)


def within_rate(request: HttpRequest, scope: str, limit: int, window: int) -> bool:
    """Count one more attempt of `scope`; False past `limit` per `window` seconds."""
    return hit(request, scope, window) <= limit


# Failed logins per address (browser and API): django-axes locks a username after 5 failures; this
# stops one address from trying many usernames. A call centre shares one address, so the limit is
# well above what its agents' typos reach.
LOGIN_SCOPE = "login-failed"


def login_blocked(request: HttpRequest) -> bool:
    return count(request, LOGIN_SCOPE) >= settings.HOTLINE_LOGIN_FAILURES_PER_IP


def login_failed(request: HttpRequest) -> None:
    hit(request, LOGIN_SCOPE, settings.HOTLINE_LOGIN_FAILURE_WINDOW_SECONDS)
