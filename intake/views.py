"""Intake (信息发现): the agent's call workbench and its live panels (caller history, address →
street, duplicates), and the logged reveal of a caller's identity."""

import base64
import os
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.exceptions import DomainError
from hotline.core.models import Category, Unit
from hotline.core.navigation import WORKBENCH_AGENT, roles_for
from hotline.core.views import WorkbenchView, check_role

from .choices import DISPOSITION_COLOURS, REFUSAL_SCRIPTS, Channel
from .forms import ERROR_FIELDS, CallForm, article_suggestions
from .geo import resolve
from .models import Demand, IdempotencyRecord
from .selectors import (
    caller_history,
    demands_visible_to,
    duplicate_candidates,
    main_order,
    may_reveal,
)
from .services import (
    caller_reveal,
    demand_create,
    fingerprint,
    idempotent_create,
    normalise_phone,
)

AGENT_ROLES = roles_for(WORKBENCH_AGENT)


def outcome_of(demand: Demand) -> dict:
    """What the agent tells the caller once the call is logged."""
    return {
        "demand": demand,
        "order": main_order(demand),
        "merged_into": demand.merged_into,
        "refusal_script": REFUSAL_SCRIPTS.get(demand.refusal_reason, ""),
        "colour": DISPOSITION_COLOURS.get(demand.disposition, "secondary"),
    }


class WorkbenchPage(WorkbenchView):
    """The agent's call workbench: one keyboard-first form; the caller's history, the resolved street
    and possible duplicates appear beside it as the agent types."""

    nav_item = WORKBENCH_AGENT
    template_name = "intake/workbench.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        done = self.request.GET.get("done", "")
        outcome = None
        if done.isdecimal() and done.isascii():
            demand = (
                Demand.objects.filter(pk=done, created_by=self.request.user)
                .select_related("merged_into__unit", "answer_article")
                .prefetch_related("work_orders__unit")
                .first()
            )
            outcome = outcome_of(demand) if demand else None
        # The browser keeps the call's draft encrypted with a key that lives in this session only: once the
        # agent logs out (or the session ends), a draft left in the browser cannot be read (intake.js).
        if "draft_key" not in self.request.session:
            self.request.session["draft_key"] = base64.b64encode(os.urandom(32)).decode()
        context.update(
            draft_key=self.request.session["draft_key"],
            form=form or CallForm(),
            outcome=outcome,
            categories=Category.objects.filter(level=3, is_active=True).select_related("parent__parent"),
            articles=article_suggestions(),
            refusal_scripts={key: str(text) for key, text in REFUSAL_SCRIPTS.items()},
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        if data.get("answer_with", "").isdecimal():
            # "Answered with this" in the knowledge-base panel answers the call with the article. The
            # demand type stays the one the agent chose: only a consultation is answered on the call, so
            # a complaint, a request for help or a report is refused here (and keeps what was typed).
            data = data.copy()
            data.update({"action": "answer", "answer_article": data["answer_with"]})
        form = CallForm(data)
        status = 400
        if form.is_valid():
            submitted = {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "idempotency_key")}
            try:
                demand, _replayed = idempotent_create(
                    scope=f"user:{request.user.pk}",
                    key=form.cleaned_data["idempotency_key"],
                    fingerprint=fingerprint(submitted),
                    create=lambda: demand_create(channel=Channel.PHONE, by=request.user, **form.service_arguments()),
                )
            except DomainError as exc:
                status = exc.status_code
                if exc.code == "idempotency_mismatch":
                    form = self._already_logged(form)
                else:
                    form.add_error(ERROR_FIELDS.get(exc.code), exc.detail)
            else:
                return redirect(f"{request.path}?done={demand.pk}")
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=status)

    def _already_logged(self, form: CallForm) -> CallForm:
        """The form was submitted before (its response was lost) and then edited: say which demand
        the first submission made, keep the edits, and give the form a new key so that submitting
        again logs the edits as a new call."""
        record = (
            IdempotencyRecord.objects.filter(
                scope=f"user:{self.request.user.pk}", key=form.cleaned_data["idempotency_key"]
            )
            .select_related("demand")
            .first()
        )
        data = form.data.copy()
        data["idempotency_key"] = uuid.uuid4().hex
        fresh = CallForm(data)
        fresh.is_valid()
        fresh.add_error(
            None,
            _(
                "This form was already logged as demand %(number)s before your last changes. Submit again to "
                "log your changes as a new call, or discard them."
            )
            % {"number": record.demand.number if record and record.demand else "?"},
        )
        return fresh


def _agent(request: HttpRequest) -> None:
    check_role(request.user, AGENT_ROLES)


# The live panels are POSTed: a phone number or a complaint must not end up in access logs.


@login_required
@require_POST
def caller_panel(request: HttpRequest) -> HttpResponse:
    """来电历史: every earlier demand of the phone number being typed, through any channel."""
    _agent(request)
    phone = normalise_phone(request.POST.get("caller_phone", ""))
    history = caller_history(phone) if len(phone) >= 5 else []
    last_name = next((d.caller_name for d in history if d.caller_name), "")
    return render(
        request,
        "intake/_caller_history.html",
        {
            "history": history,
            "phone": phone,
            "last_name": last_name,
        },
    )


@login_required
@require_POST
def street_panel(request: HttpRequest) -> HttpResponse:
    """地址解析: the street the address resolves to (or the candidates), as the street select. A
    street the agent chose by hand (`street_chosen`) is kept."""
    _agent(request)
    resolution = resolve(request.POST.get("address", ""))
    chosen = request.POST.get("street_chosen", "")
    form = CallForm(initial={"street": chosen or (resolution.street.code if resolution.street else "")})
    return render(request, "intake/_street.html", {"form": form, "resolution": resolution, "chosen": chosen})


@login_required
@require_POST
def duplicates_panel(request: HttpRequest) -> HttpResponse:
    """重复件: open orders that this call probably repeats."""
    _agent(request)
    params = request.POST
    category = Category.objects.filter(code=(params.get("category", "").split() or [""])[0]).first()
    street = Unit.objects.filter(code=params.get("street", "")).first() if params.get("street") else None
    if street is None and params.get("address"):
        street = resolve(params["address"]).street
    duplicates = duplicate_candidates(
        phone=normalise_phone(params.get("caller_phone", "")),
        street=street,
        category=category,
        content=params.get("content", ""),
        now=timezone.now(),
    )
    return render(
        request,
        "intake/_duplicates.html",
        {"duplicates": duplicates, "selected": params.get("merge_into", "")},
    )


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a caller's full number and name to a handler who needs to call them; logged."""
    demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
    if not may_reveal(request.user, demand):
        return render(
            request, "intake/_reveal.html", {"error": _("You may not see this caller's identity.")}, status=403
        )
    try:
        identity = caller_reveal(
            demand=demand, by=request.user, reason=request.POST.get("reason", ""), ip=request.META.get("REMOTE_ADDR")
        )
    except DomainError as exc:
        return render(request, "intake/_reveal.html", {"error": exc.detail, "demand": demand}, status=exc.status_code)
    return render(request, "intake/_reveal.html", {"identity": identity, "demand": demand})
