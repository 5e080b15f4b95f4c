"""The shared cache (Redis), failing over to process memory: a Redis outage must never fail a request
(portal rate limits, DRF throttles, the login limit all read the cache). Each operation that cannot
reach Redis is served by a local LocMemCache instead, and the outage is logged (once a minute)."""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


def _failing_over(name):
    def operation(self, *args, **kwargs):
        try:
            return getattr(super(FailoverRedisCache, self), name)(*args, **kwargs)
        except _FAILURES as exc:
            self._outage(exc)
            return getattr(self._local, name)(*args, **kwargs)

    return wraps(getattr(RedisCache, name))(operation)


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast when Redis is down, rather than holding an agent's request for seconds.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._local = LocMemCache(f"failover-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._logged_at = 0.0

    def _outage(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._logged_at > 60:
            log.warning(
                "cache: Redis is unreachable (%s); rate limits count in this process until it is back",
                exc.__class__.__name__,
            )
            self._logged_at = now


for _name in _OPERATIONS:
    setattr(FailoverRedisCache, _name, _failing_over(_name))
