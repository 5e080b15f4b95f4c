"""The API's error format (CONTRACT.md): `{"code": "<machine_code>", "detail": "<human text>"}`.

Validation errors add `errors` with the per-field messages. A state-machine refusal answers 409
`state_conflict`. Anything unexpected is logged and answered as JSON 500 `server_error`, so a
client never gets an HTML page; reaching that branch is a bug to fix."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import DomainError

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """409: the request is well formed but the object's state does not allow it now."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's current state does not allow this."
    default_code = "state_conflict"


class LockedOut(exceptions.APIException):
    """429: django-axes has locked this username out after too many failed logins."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed logins; this account is locked for a while."
    default_code = "locked_out"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({**exc.extra, "code": exc.code, "detail": exc.detail}, status=exc.status_code)
    if isinstance(exc, (OperationalError, InterfaceError, DataError)):
        # The same answers as outside DRF (hotline.core.middleware): 503 with Retry-After for a database
        # restart, 400 invalid_input for a value beyond a column's range.
        from ..middleware import DatabaseUnavailableMiddleware, InputGuardMiddleware

        request = context["request"]
        if isinstance(exc, DataError):
            return InputGuardMiddleware().process_exception(request, exc)
        return DatabaseUnavailableMiddleware.unavailable(request, exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {"code": "server_error", "detail": _("An unexpected error occurred; it has been logged.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "detail": _first_message(exc.detail), "errors": exc.detail}
    else:
        body = {"code": _code_of(exc), "detail": str(exc.detail)}
    response.data = body
    return response


def json_error(code: str, detail: str, status_code: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status_code)
