"""DRF's side of the one access model: an endpoint names the rule of hotline.core.access it needs, the
same rule its page asks, so the browser and the API never disagree. Which objects a user reaches stays
each endpoint's queryset scoping (visible_to: 404 outside it); the object rules are asked by the services."""

from __future__ import annotations

from functools import cache

from rest_framework.permissions import BasePermission

from ..access import may


@cache
def allowed(rule: str) -> type[BasePermission]:
    """The DRF permission class of one rule: 401 without a login, 403 without the rule."""

    class Allowed(BasePermission):
        message = f"Your role may not do this ({rule})."

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and may(request.user, rule))

    Allowed.__name__ = Allowed.__qualname__ = f"Allowed[{rule}]"
    return Allowed
