"""Intake (信息发现): the live address → street field of the agent's desk (地址解析). The desk itself,
which records a call and hands it on, is dispatch's (dispatch.views.DeskPage)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.access import may

from .forms import StreetForm
from .geo import resolve


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
