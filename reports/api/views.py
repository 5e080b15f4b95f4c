"""Reports API (CONTRACT.md): list, one report as the caller's scope sees it, its PDF and Excel, and a
build request."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, views
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from hotline.core.api.fields import PlausibleDateField
from hotline.core.exceptions import Forbidden, InvalidInput, NotFound

from ..charts import charts_for
from ..choices import Kind, Status
from ..exports import pdf_bytes, xlsx_bytes
from ..models import Report
from ..selectors import may_read, report_view, reports_visible_to
from ..services import report_request


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "period_start",
            "period_end",
            "revision",
            "is_current",
            "status",
            "progress",
            "step",
            "error",
            "requested_at",
            "built_at",
        ]


class ReportDetailSerializer(ReportSerializer):
    scope = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    charts = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "meta", "scope", "sections", "charts"]

    def _view(self, report):
        if "view_data" not in self.context:
            self.context["view_data"] = (
                report_view(report, self.context["request"].user) if report.status == Status.READY else None
            )
        return self.context.get("view_data")

    def get_scope(self, report) -> dict:
        view = self._view(report)
        scope = view["scope"] if view else None
        return {"unit": scope.unit.code if scope and scope.unit else None, "name": str(scope.name) if scope else None}

    def get_sections(self, report) -> dict:
        view = self._view(report)
        return view["sections"] if view else {}

    def get_charts(self, report) -> list[dict]:
        view = self._view(report)
        return charts_for(view, report.kind) if view else []


class BuildRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    date = PlausibleDateField(help_text="a day of the period to report")


class ReportPagination(CursorPagination):
    ordering = ("-period_start", "-id")
    page_size = 50


def _check_reader(user) -> None:
    if not may_read(user):
        raise Forbidden(_("Reports are for leaders, supervisors and administrators."))


class ReportListView(generics.ListAPIView):
    """《市民热线反映》: current revisions, newest period first (and builds under way)."""

    serializer_class = ReportSerializer
    pagination_class = ReportPagination
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=Kind.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _check_reader(self.request.user)
        qs = reports_visible_to(self.request.user)
        kind = self.request.query_params.get("kind", "")
        if kind:
            if kind not in Kind.values:
                raise InvalidInput(_("kind must be daily, weekly or monthly."), code="invalid_kind")
            qs = qs.filter(kind=kind)
        return qs

    @extend_schema(request=BuildRequestSerializer, responses={202: ReportSerializer}, operation_id="reports_build")
    def post(self, request):
        """Build (or rebuild, as a new revision) the report covering `date`; a build of it already under way
        is answered instead of starting another."""
        serializer = BuildRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_request(
            kind=serializer.validated_data["kind"], day=serializer.validated_data["date"], by=request.user
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


def _report(request, pk: int) -> Report:
    _check_reader(request.user)
    report = Report.objects.filter(pk=pk).first()
    if report is None:
        raise NotFound(_("No such report."))
    return report


class ReportDetailView(views.APIView):
    @extend_schema(responses=ReportDetailSerializer, operation_id="reports_retrieve")
    def get(self, request, pk: int):
        report = _report(request, pk)
        return Response(ReportDetailSerializer(report, context={"request": request}).data)


class ReportExportView(views.APIView):
    """The report as a file (PDF or Excel), for the caller's scope."""

    fmt = "pdf"

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, pk: int):
        report = _report(request, pk)
        if report.status != Status.READY:
            raise NotFound(
                _("This revision has no content (it is %(status)s).") % {"status": report.get_status_display()},
                code="not_ready",
            )
        if self.fmt == "pdf":
            response = HttpResponse(pdf_bytes(report, request.user), content_type="application/pdf")
        else:
            response = HttpResponse(
                xlsx_bytes(report, request.user),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = (
            f'attachment; filename="report-{report.kind}-{report.period_start:%Y%m%d}-r{report.revision}.{self.fmt}"'
        )
        return response


class ReportPdfView(ReportExportView):
    fmt = "pdf"

    @extend_schema(operation_id="reports_export_pdf", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return super().get(request, pk)


class ReportXlsxView(ReportExportView):
    fmt = "xlsx"

    @extend_schema(
        operation_id="reports_export_xlsx",
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        return super().get(request, pk)
