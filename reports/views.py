"""Reports (《市民热线反映》): the leader dashboard, the list of reports with builds in progress, a
report with its charts and 批示, its exports, and the logged reveal of a key case's caller."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessment.instructions import instruction_issue
from assessment.models import Instruction
from hotline.core.access import may
from hotline.core.exceptions import DomainError
from hotline.core.models import Unit
from hotline.core.navigation import WORKBENCH_REPORT_LIST, WORKBENCH_REPORTS
from hotline.core.pagination import page_of
from hotline.core.views import WorkbenchView, check_permission

from . import services
from .charts import charts_for
from .choices import KIND_SECTIONS, STATUS_COLOURS, Kind, Section, Status
from .exports import pdf_bytes, period_label, report_title, xlsx_bytes
from .models import Report, ReportRow
from .selectors import dashboard, may_read, report_view, reports_visible_to, scope_for

PREVIOUS_LABELS = {
    Kind.DAILY: _lazy("The day before"),
    Kind.WEEKLY: _lazy("The week before"),
    Kind.MONTHLY: _lazy("The month before"),
}


def may_instruct(user) -> bool:
    return may(user, "assessment.write_instruction")


class DashboardPage(WorkbenchView):
    """The leader's morning page: today so far, the lights of open orders, latest reports, open 批示."""

    nav_item = WORKBENCH_REPORTS
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(dashboard(self.request.user, timezone.now()))
        return context


class ReportListPage(WorkbenchView):
    """Every report (current revisions), filtered by kind and period, with builds under way."""

    nav_item = WORKBENCH_REPORT_LIST
    template_name = "reports/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        qs = (
            reports_visible_to(self.request.user)
            .select_related("requested_by")
            .order_by("-period_start", "kind", "-revision")
        )
        kind = params.get("kind", "")
        if kind in Kind.values:
            qs = qs.filter(kind=kind)
        for name, lookup in (("from", "period_end__gte"), ("to", "period_start__lte")):
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(params.get(name, ""))})
            except ValueError:
                pass
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        context.update(
            page=page_of(qs, params.get("page"), size=30),
            kinds=Kind.choices,
            kind=kind,
            date_from=params.get("from", ""),
            date_to=params.get("to", ""),
            can_build=services.may_build(self.request.user),
            default_day=yesterday.isoformat(),
            status_colours=STATUS_COLOURS,
        )
        return context

    def post(self, request):
        """Build now (a new revision if the report exists)."""
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
            return redirect("reports:list")
        try:
            report = services.report_request(kind=request.POST.get("kind", ""), day=day, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("reports:list")
        messages.success(
            request,
            _("%(report)s is being built (revision %(revision)s).") % {"report": report, "revision": report.revision},
        )
        return redirect("reports:detail", pk=report.pk)


def _readable(request, pk: int) -> Report:
    if not may_read(request.user):
        raise PermissionDenied(_("Your role cannot open this page."))
    return get_object_or_404(Report, pk=pk)


class ReportPage(WorkbenchView):
    """One report as the reader's scope sees it; a build in progress shows its progress instead."""

    nav_item = WORKBENCH_REPORT_LIST
    template_name = "reports/report.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        report = _readable(self.request, pk)
        revisions = Report.objects.filter(kind=report.kind, period_start=report.period_start).order_by("-revision")
        context.update(
            report=report,
            revisions=revisions,
            can_build=services.may_build(user),
            can_instruct=may_instruct(user),
            status_colours=STATUS_COLOURS,
            period=period_label(report),
            # Only a later revision that is ready and current replaces this one (a first build replaces nothing).
            replaced_by=next((r for r in revisions if r.is_current and r.revision > report.revision), None),
        )
        current = report if report.status == Status.READY else next((r for r in revisions if r.is_current), None)
        if current is not None and report.status == Status.READY:
            view = report_view(report, user)
            context.update(
                view=view,
                sections=view["sections"],
                charts=charts_for(view, report.kind),
                title=report_title(report, view["scope"].name),
                section_order=KIND_SECTIONS[Kind(report.kind)],
                section_labels=dict(Section.choices),
                instruction_units=_instruction_units(user),
                daily=report.kind == Kind.DAILY,
                previous_label=PREVIOUS_LABELS[report.kind],
                can_reveal=may(user, "reports.reveal_key_case"),
                instructions=_instructions(report, user),
            )
        context["current"] = current
        return context

    def post(self, request, pk):
        """Rebuild (a new revision of the same period)."""
        report = _readable(request, pk)
        try:
            new = services.report_request(kind=report.kind, day=report.period_start, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("reports:detail", pk=pk)
        messages.success(request, _("Rebuilding: revision %(revision)s.") % {"revision": new.revision})
        return redirect("reports:detail", pk=new.pk)


def _instructions(report: Report, user):
    """批示 on this report, whichever revision they were written on, within the reader's area."""

    return (
        Instruction.objects.filter(
            report__kind=report.kind,
            report__period_start=report.period_start,
            unit__path__startswith=scope_for(user).path,
        )
        .select_related("unit", "leader", "responded_by")
        .order_by("-issued_at")
    )


def _instruction_units(user) -> list[Unit]:
    """Units a section 批示 may go to: the districts (or, for a district leader, their streets)."""
    scope = scope_for(user)
    if scope.is_city:
        return list(Unit.objects.filter(level="district").order_by("code"))
    return list(Unit.objects.filter(parent=scope.unit).order_by("code")) + [scope.unit]


def progress(request, pk: int) -> HttpResponse:
    """htmx: the build's progress bar; when the build is finished, the report page reloads and the
    list's row stops polling."""
    report = _readable(request, pk)
    response = render(request, "reports/_progress.html", {"report": report, "status_colours": STATUS_COLOURS})
    if report.is_finished:
        if request.GET.get("reload"):
            response["HX-Refresh"] = "true"  # the report page: show the finished report
        else:
            response.status_code = 286  # htmx: stop polling (the list shows the final badge)
    return response


def instruct(request, pk: int) -> HttpResponse:
    """A leader's 批示 on a report item (a case, a hotspot, a ranking row…) or on a section."""
    if request.method != "POST":
        return HttpResponse(status=405)
    report = _readable(request, pk)
    if report.status != Status.READY:
        raise Http404
    text = request.POST.get("text", "")
    row_id, section = request.POST.get("row", ""), request.POST.get("section", "")
    if section not in KIND_SECTIONS[Kind(report.kind)]:
        raise Http404
    try:
        if row_id:
            if not (row_id.isdecimal() and row_id.isascii()):
                raise Http404
            row = get_object_or_404(
                ReportRow, pk=int(row_id), report=report, path__startswith=scope_for(request.user).path
            )
            instruction_issue(leader=request.user, text=text, report_row=row)
        else:
            code = request.POST.get("unit", "")
            unit = next((u for u in _instruction_units(request.user) if u.code == code), None)
            instruction_issue(leader=request.user, text=text, report=report, section=section, unit=unit)
        messages.success(request, _("批示 sent to the unit as a supervision task."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(f"{reverse('reports:detail', kwargs={'pk': report.pk})}#section-{section}")


def reveal(request, pk: int, row: int) -> HttpResponse:
    """The caller's name of a key case, for a reader who may see it; logged like every reveal."""
    if request.method != "POST":
        return HttpResponse(status=405)
    report = _readable(request, pk)
    row = get_object_or_404(
        ReportRow, pk=row, report=report, section=Section.KEY_CASES, path__startswith=scope_for(request.user).path
    )
    try:
        identity = services.key_case_reveal(
            row=row, by=request.user, reason=request.POST.get("reason", ""), ip=request.META.get("REMOTE_ADDR")
        )
    except DomainError as exc:
        return render(request, "reports/_reveal.html", {"error": exc.detail}, status=exc.status_code)
    return render(request, "reports/_reveal.html", {"identity": identity})


def export(request, pk: int, fmt: str) -> HttpResponse:
    report = _readable(request, pk)
    if report.status != Status.READY:
        raise Http404
    name = f"report-{report.kind}-{report.period_start:%Y%m%d}-r{report.revision}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(pdf_bytes(report, request.user), content_type="application/pdf")
    else:
        response = HttpResponse(
            xlsx_bytes(report, request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _check_reader(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        check_permission(request.user, "reports.read_reports")
        return view(request, *args, **kwargs)

    return wrapped


progress = _check_reader(progress)
instruct = _check_reader(instruct)
reveal = _check_reader(reveal)
export = _check_reader(export)
