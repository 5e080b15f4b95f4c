"""Intake (信息发现): the live address → street field of the agent's desk (地址解析). The desk itself,
which records a call and hands it on, is dispatch's (dispatch.views.DeskPage)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotline.core.access import may
from hotline.core.exceptions import DomainError
from hotline.core.forms import BootstrapForm
from hotline.core.models import Category
from hotline.core.navigation import WORKBENCH_CLASSIFIER, WORKBENCH_RECORD_TEMPLATES
from hotline.core.selectors import categories_to_pick
from hotline.core.views import WorkbenchView, check_permission

from . import services
from .forms import RecordTemplateForm, StreetForm
from .geo import resolve
from .models import ClassifierModel
from .selectors import classifier_report


# POSTed, as the desk's other live panels: an address must not end up in access logs.
@login_required
@require_POST
def street_panel(request: HttpRequest) -> HttpResponse:
    """地址解析: the street the address resolves to (or the candidates), as the street select. A
    street the agent chose by hand (`street_chosen`) is kept."""
    if not may(request.user, "intake.record_demand"):
        raise PermissionDenied(_("Your role cannot open this page."))
    resolution = resolve(request.POST.get("address", ""))
    chosen = request.POST.get("street_chosen", "")
    form = StreetForm(initial={"street": chosen or (resolution.street.code if resolution.street else "")})
    return render(request, "intake/_street.html", {"form": form, "resolution": resolution, "chosen": chosen})


class AutoDispatchForm(BootstrapForm):
    enabled = forms.BooleanField(
        label=gettext_lazy("Categorise automatically when the model is sure enough"), required=False
    )
    precision = forms.DecimalField(
        label=gettext_lazy("Required precision"),
        min_value=Decimal("0.5"),
        max_value=Decimal("0.999"),
        decimal_places=3,
        help_text=gettext_lazy(
            "The share of automatic categories that must be right on the held-out demands, e.g. 0.95."
        ),
    )


class ClassifierPage(WorkbenchView):
    """智能派单 as operators see it: the active version's accuracy on its held-out slice (overall, per top-level
    category, the confusion between categories), precision and coverage at each threshold with the one auto-
    dispatch uses, the agents' acceptance week by week, and the versions. Administrators train a new version,
    activate another, and set auto-dispatch here."""

    nav_item = WORKBENCH_CLASSIFIER
    template_name = "intake/classifier.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report = classifier_report()
        model = report["model"]
        groups = [g["code"] for g in (model.metrics.get("per_group", []) if model else [])]
        confusion = {(a, b): n for a, b, n in (model.metrics.get("confusion", []) if model else [])}
        names = dict(Category.objects.filter(level=1).values_list("code", "name"))
        context.update(
            report=report,
            manage=may(self.request.user, "intake.manage_classifier"),
            form=form
            or AutoDispatchForm(initial={"enabled": report["policy"].enabled, "precision": report["policy"].precision}),
            confusion_rows=[(names.get(a, a), [(confusion.get((a, b), 0), a == b) for b in groups]) for a in groups],
            confusion_columns=[names.get(b, b) for b in groups],
        )
        return context

    def post(self, request):
        check_permission(request.user, "intake.manage_classifier")
        action = request.POST.get("action", "")
        form = None
        try:
            if action == "activate":
                version = get_object_or_404(ClassifierModel, pk=request.POST.get("version") or 0)
                services.classifier_activate(version=version, by=request.user)
                messages.success(request, _("Version %(v)s is now active.") % {"v": version.version})
            elif action == "auto":
                form = AutoDispatchForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                services.auto_dispatch_set(
                    enabled=form.cleaned_data["enabled"], precision=form.cleaned_data["precision"], by=request.user
                )
                messages.success(request, _("Auto-dispatch saved."))
            elif action == "train":
                from .tasks import train_classifier

                try:
                    train_classifier.delay()
                except Exception:  # the broker is down: nothing was queued, say so
                    messages.error(request, _("Training could not be queued (the task queue is unavailable)."))
                else:
                    messages.success(
                        request, _("Training started: the new version appears below when it is done (minutes).")
                    )
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("intake:classifier")


class RecordTemplatesPage(WorkbenchView):
    """受理模板: an agent's own templates (add, change, delete) beside the hotline's, which the desk offers too."""

    nav_item = WORKBENCH_RECORD_TEMPLATES
    template_name = "intake/record_templates.html"

    def get_context_data(self, form=None, editing=None, **kwargs):
        from .selectors import own_record_templates, record_templates_for

        context = super().get_context_data(**kwargs)
        user = self.request.user
        if form is None and editing is not None:
            form = RecordTemplateForm(
                initial={
                    "title": editing.title,
                    "text": editing.text,
                    "category": f"{editing.category.code} {editing.category.name}" if editing.category else "",
                }
            )
        context.update(
            form=form or RecordTemplateForm(),
            editing=editing,
            own=own_record_templates(user),
            shared=[t for t in record_templates_for(user) if t.owner_id is None],
            categories=categories_to_pick(leaves_only=False),
        )
        return context

    def get(self, request, pk=None):
        return self.render_to_response(self.get_context_data(editing=self._own(pk)))

    def post(self, request, pk=None):
        editing = self._own(pk)
        if request.POST.get("delete") and editing is not None:
            services.record_template_delete(by=request.user, template=editing)
            messages.success(request, _("Template “%(title)s” deleted.") % {"title": editing.title})
            return redirect("intake:templates")
        form = RecordTemplateForm(request.POST)
        if form.is_valid():
            try:
                saved = services.record_template_save(by=request.user, template=editing, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Template “%(title)s” saved.") % {"title": saved.title})
                return redirect("intake:templates")
        return self.render_to_response(self.get_context_data(form=form, editing=editing), status=400)

    def _own(self, pk):
        from .selectors import own_record_templates

        return None if pk is None else get_object_or_404(own_record_templates(self.request.user), pk=pk)
