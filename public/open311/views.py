"""Open311 GeoReport v2 endpoints (`/open311/v2/`): parse, call a selector or service, encode.

Every answer, failures included, is in the format the path asks for (`.json` or `.xml`); errors
are the spec's list of `{code, description}` with the HTTP status as code: 400 bad input, 403 a
missing or invalid api_key, 404 an unknown resource or format, 405 a wrong method, 422 an
Idempotency-Key reused for another request."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from hotline.core.exceptions import DomainError

from .render import error_response, is_format, respond
from .selectors import (
    created_request,
    parse_request_query,
    service_definition,
    service_list,
    service_request,
    service_requests,
)
from .services import request_submit

logger = logging.getLogger(__name__)


# Partners post with an api_key, not a session cookie: CSRF does not apply.
@method_decorator(csrf_exempt, name="dispatch")
class GeoReportView(View):
    """One GeoReport resource. `root` is its XML root element."""

    root = ""
    fmt = "json"

    def dispatch(self, request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        if not is_format(fmt):
            return error_response([_("Unknown format .%(fmt)s: use .json or .xml.") % {"fmt": fmt}], status=404)
        self.fmt = fmt
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as exc:
            return error_response(getattr(exc, "descriptions", [exc.detail]), status=exc.status_code, fmt=fmt)
        except Exception:
            # The spec's "general service error": a 400 the client reports to us; the log has the cause.
            logger.exception("Open311 %s %s failed", request.method, request.path)
            return error_response(
                [_("General service error: the request could not be processed. Please tell the 12345 hotline.")],
                status=400,
                fmt=fmt,
            )

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = error_response(
            [_("Method %(method)s is not allowed here.") % {"method": request.method}], status=405, fmt=self.fmt
        )
        response["Allow"] = ", ".join(self._allowed_methods())
        return response

    def answer(self, payload, *, status: int = 200) -> HttpResponse:
        return respond(payload, fmt=self.fmt, root=self.root, status=status)


class ServiceListView(GeoReportView):
    """GET services: one service per active level-3 matter category."""

    root = "services"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.answer(service_list())


class ServiceDefinitionView(GeoReportView):
    """GET services/{service_code}: the attributes a request of this service may carry."""

    root = "service_definition"

    def get(self, request: HttpRequest, service_code: str) -> HttpResponse:
        return self.answer(service_definition(service_code))


class RequestsView(GeoReportView):
    """GET requests: the published requests of a window (90 days by default). POST requests: a
    partner channel submits one."""

    root = "service_requests"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.answer(service_requests(parse_request_query(request.GET)))

    def post(self, request: HttpRequest) -> HttpResponse:
        demand, replayed = request_submit(data=request.POST, idempotency_key=request.headers.get("Idempotency-Key", ""))
        # 200, not 201: the spec defines no other success status, and its clients expect 200.
        response = self.answer([created_request(demand)])
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class RequestView(GeoReportView):
    """GET requests/{service_request_id}: a list with the one request."""

    root = "service_requests"

    def get(self, request: HttpRequest, service_request_id: str) -> HttpResponse:
        return self.answer([service_request(service_request_id)])


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /open311/v2/: the spec's 404, in XML when the path asks for it."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error_response([_("Not found: %(path)s") % {"path": request.path}], status=404, fmt=fmt)
