"""Browser views of the shared core: home (per role), the system page, lockout and error pages."""

import sys

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from . import otp, ratelimit
from .access import may
from .api.errors import json_error
from .choices import UnitLevel
from .forms import LoginForm
from .models import Category, Unit, User
from .navigation import INBOX, WORKBENCH_SYSTEM, NavItem, navigation_for


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/open311/"))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their role's workbench."""
    items = navigation_for(request.user)
    if not items:
        return render(request, "core/no_role.html", status=403)
    return redirect(items[0].url_name)


def check_permission(user, permission: str, obj=None) -> None:
    """403 unless the user holds `permission` (hotline.core.access): the page asks what its API asks."""
    if not may(user, permission, obj):
        raise PermissionDenied(_("Your role cannot open this page."))


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """A page of the staff. `permission` says who may open it (by default the one of `nav_item`, the
    menu entry it belongs under); everyone else gets 403."""

    nav_item: NavItem
    permission: str = ""
    title = None  # the page's own title; None: its menu entry's label (a page under another's menu names itself)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_permission(request.user, self.permission or self.nav_item.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.title or self.nav_item.label
        context["active_nav"] = self.nav_item.url_name
        return context


class SystemView(WorkbenchView):
    """The administrator's overview: the organisation tree and accounts at a glance."""

    nav_item = WORKBENCH_SYSTEM
    template_name = "core/system.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_level = dict(Unit.objects.values_list("level").annotate(n=Count("id")))
        context["unit_counts"] = [(label, by_level.get(value, 0)) for value, label in UnitLevel.choices]
        context["user_count"] = User.objects.filter(is_active=True).count()
        context["category_count"] = Category.objects.count()
        return context


class LoginView(auth_views.LoginView):
    """The browser login: django-axes locks a username after repeated failures; one address trying many
    usernames is stopped by the per-address limit of failed logins (429, the username kept)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if ratelimit.login_blocked(request):
            form = self.authentication_form(request, initial={"username": request.POST.get("username", "")[:150]})
            form.cleaned_data = {}
            form.add_error(None, _("Too many failed logins from your address; try again in 15 minutes."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if not getattr(self.request, "axes_locked_out", False):
            ratelimit.login_failed(self.request)
        return super().form_invalid(form)


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok and target else "/"


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for an account with an authenticator app (hotline.core.otp)."""
    import django_otp

    if request.user.is_verified() or not otp.enrolled(request.user):
        return redirect(_safe_next(request))
    error, status = "", 200
    if request.method == "POST":
        device = otp.verified_device(request.user, request.POST.get("token", ""))
        if device is not None:
            django_otp.login(request, device)
            return redirect(_safe_next(request))
        error, status = _("That code is not valid (or was already used). Enter the current one."), 400
    return render(request, "registration/otp_verify.html", {"next": _safe_next(request), "error": error}, status=status)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Administrators and leaders turn the second factor on (scan, confirm with a code) or off."""
    import django_otp

    if not otp.eligible(request.user):
        raise PermissionDenied(_("Two-step login is offered to administrators and leaders."))
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove" and otp.enrolled(request.user):
            otp.remove(request)
            messages.success(request, _("Two-step login is off."))
            return redirect("otp-setup")
        if action == "confirm" and not otp.enrolled(request.user):
            device = otp.pending_device(request.user)
            if otp.confirm(device, request.POST.get("token", "")):
                django_otp.login(request, device)
                otp.remember(request)
                messages.success(request, _("Two-step login is on."))
                return redirect("otp-setup")
            error, status = _("That code is not valid. Check the time on your phone and enter the current code."), 400
    context = {"enrolled": otp.enrolled(request.user), "error": error}
    if not context["enrolled"]:
        device = otp.pending_device(request.user)
        context.update(qr=otp.qr_svg(device), key=otp.base32_key(device))
    return render(request, "registration/otp_setup.html", context, status=status)


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes lockout response: JSON 429 for API clients, a Chinese page for the browser."""
    detail = _("Too many failed logins: this account is locked for 30 minutes.")
    if _wants_json(request):
        return json_error("locked_out", detail, 429)
    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return json_error("not_found", _("Not found."), 404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return json_error("permission_denied", _("You do not have permission to perform this action."), 403)
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that has expired (or from another site): say so in people's words, and how
    to go on, instead of Django's "CSRF verification failed"."""
    if _wants_json(request):
        return json_error("csrf_failed", _("The request could not be verified (CSRF). Reload the page and retry."), 403)
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except`: a database restart that broke the session or user lookup in
    # a middleware (before any view ran) is answered 503 with Retry-After, like one inside a view.
    from django.db import InterfaceError, OperationalError

    from .middleware import DatabaseUnavailableMiddleware

    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DatabaseUnavailableMiddleware.unavailable(request, exc)
    if _wants_json(request):
        return json_error("server_error", _("An unexpected error occurred; it has been logged."), 500)
    return render(request, "500.html", status=500)


class InboxPage(WorkbenchView):
    """The user's notifications (通知), newest first, unread ones marked; each opens the object it is about."""

    nav_item = INBOX
    template_name = "core/inbox.html"

    def get_context_data(self, **kwargs):
        from .pagination import page_of
        from .selectors import notifications_of

        context = super().get_context_data(**kwargs)
        unread_only = self.request.GET.get("unread") == "1"
        items = notifications_of(self.request.user)
        if unread_only:
            items = items.filter(read_at__isnull=True)
        context.update(page_obj=page_of(items, self.request.GET.get("page"), 30), unread_only=unread_only)
        return context


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    from django.shortcuts import get_object_or_404
    from django.utils.http import url_has_allowed_host_and_scheme

    from .selectors import notifications_of
    from .services import notification_read

    check_permission(request.user, INBOX.permission)
    notification = notification_read(
        notification=get_object_or_404(notifications_of(request.user), pk=pk), by=request.user
    )
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else ""
    return redirect(target or "inbox")


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from .services import notifications_read_all

    check_permission(request.user, INBOX.permission)
    count = notifications_read_all(by=request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": count})
    return redirect("inbox")
