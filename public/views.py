"""What a citizen reaches without an account: the web portal (网站渠道: submit a demand, look up its status
by number and phone number; no information without both; lookups are rate-limited) and the one-time
evaluation page of the text message (自评)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dispatch.choices import REPLIED_STATUSES
from dispatch.selectors import main_order, merged_into
from dispatch.services import demand_take
from feedback.choices import ReplyReview
from feedback.forms import AnswersForm
from feedback.services import link_for, link_problem, self_evaluate
from hotline.core.exceptions import DomainError
from hotline.core.models import Category
from hotline.core.ratelimit import within_rate
from hotline.core.selectors import categories_to_pick
from intake.choices import Channel, Disposition
from intake.forms import ERROR_FIELDS, PortalForm, StatusLookupForm
from intake.models import Demand, IdempotencyRecord
from intake.services import demand_attach_photos, fingerprint, idempotent_create, photos_checked

from .plain import status_words, timeline

LOOKUPS_PER_WINDOW = 10  # per 10 minutes: numbers cannot be guessed
LOOKUP_WINDOW_SECONDS = 600
SUBMISSIONS_PER_WINDOW = 20  # per hour: a person reports a few matters, a script many
SUBMISSION_WINDOW_SECONDS = 3600


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    done = request.session.get("portal_done") if request.GET.get("done") else None
    form = PortalForm(request.POST or None, request.FILES or None)
    status = 200
    # A browser never keeps chosen files across a page: when the page comes back, the citizen is told.
    photos_again = bool(request.FILES.getlist("photos"))
    offered: list = []
    if request.method == "POST":
        status = 400
        if not within_rate(request, "submit", SUBMISSIONS_PER_WINDOW, SUBMISSION_WINDOW_SECONDS):
            form.add_error(
                None, _("Too many submissions from your connection. Please try again in an hour or call 12345.")
            )
            status = 429
        elif form.is_valid() and _photos_ok(form):
            data = form.cleaned_data
            # "Is it one of these?": open matters already reported at the same place, asked once before the
            # demand is taken; the citizen may add their voice to one (重复件) instead of a new demand.
            replay = (
                bool(request.session.session_key)
                and IdempotencyRecord.objects.filter(
                    scope=f"portal:{request.session.session_key}", key=data["idempotency_key"]
                ).exists()
            )
            nearby = [] if replay else _nearby(data)  # a retried submission is answered as the first was
            if nearby and not request.POST.get("nearby_answered"):
                return render(
                    request,
                    "public/portal_submit.html",
                    {
                        "form": form,
                        "done": None,
                        "categories": categories_to_pick(),
                        "nearby": nearby,
                        "photos_again": photos_again,
                    },
                )
            same_as = next((d.order for d in nearby if str(d.order.pk) == request.POST.get("same_as", "")), None)
            submitted = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "idempotency_key")}
            submitted["photos"] = [f"{p.name}:{p.size}" for p in data["photos"]]
            try:
                if not request.session.session_key:
                    request.session.save()
                demand, _replayed = idempotent_create(
                    scope=f"portal:{request.session.session_key}",
                    key=data["idempotency_key"],
                    fingerprint=fingerprint(submitted),
                    create=lambda: demand_take(
                        action="merge" if same_as else "route",
                        merge_into=same_as,
                        channel=Channel.WEB,
                        demand_type=data["demand_type"],
                        category=data["category"],
                        content=data["content"],
                        caller_phone=data["caller_phone"],
                        caller_name=data["caller_name"],
                        address=data["address"],
                        lat=data.get("lat"),
                        long=data.get("long"),
                    ),
                )
            except DomainError as exc:
                if exc.code == "category_required":
                    # The words did not tell the matter for sure: "is it one of these?", the model's guesses first.
                    codes = [s["category"] for s in (exc.extra or {}).get("suggestions", [])]
                    by_code = {c.code: c for c in Category.objects.filter(code__in=codes)}
                    offered = [by_code[c] for c in codes if c in by_code]
                    form = PortalForm(request.POST, offered=offered)
                    form.is_valid()
                    form.add_error("common", _("Which of these is it closest to? Choose one, or type the matter."))
                else:
                    form.add_error(ERROR_FIELDS.get(exc.code), exc.detail)
                status = exc.status_code
            else:
                if not _replayed and data["photos"]:
                    demand_attach_photos(demand=demand, photos=data["photos"])
                request.session["portal_done"] = demand.number
                return redirect(f"{request.path}?done=1")
    return render(
        request,
        "public/portal_submit.html",
        {"form": form, "done": done, "categories": categories_to_pick(), "photos_again": photos_again},
        status=status,
    )


def _photos_ok(form) -> bool:
    """The citizen's photos checked (and made ready to keep) before anything is taken."""
    try:
        form.cleaned_data["photos"] = photos_checked(form.cleaned_data.get("photos") or [])
    except DomainError as exc:
        form.add_error("photos", exc.detail)
        return False
    return True


def _nearby(data) -> list:
    """The open matters of the same street that look like this one (dispatch's 重复件 rule, without the
    caller's number: a citizen never learns what a phone number reported)."""
    from dispatch.selectors import duplicate_candidates
    from intake.geo import resolve

    if not data.get("address") or not data.get("content"):
        return []
    street = resolve(data["address"]).street
    if street is None:
        return []
    return duplicate_candidates(
        street=street, category=data.get("category"), content=data["content"], now=timezone.now(), limit=3
    )


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST":
        if not within_rate(request, "lookup", LOOKUPS_PER_WINDOW, LOOKUP_WINDOW_SECONDS):
            context["error"] = _("Too many lookups from your connection. Please try again in ten minutes.")
            return render(request, "public/portal_status.html", context, status=429)
        if form.is_valid():
            demand = (
                Demand.objects.filter(
                    number=form.cleaned_data["number"].strip(), **Demand.phone_lookup(form.cleaned_data["phone"])
                )
                .exclude(disposition=Disposition.IMPORTED)  # history of the old system has no status here
                .select_related("category")
                .prefetch_related("work_orders__unit", "work_orders__replies")
                .first()
            )
            if demand is None:
                context["error"] = _("No demand matches this number and phone number.")
                return render(request, "public/portal_status.html", context, status=404)
            merged = merged_into(demand)
            order = merged or main_order(demand)
            # The reply to the citizen, once the unit has replied (a reply sent back is not shown). A
            # merged caller sees the order's progress but not the reply written to the first caller.
            reply = None
            if order is not None and merged is None:
                reply = order.replies.exclude(review=ReplyReview.SENT_BACK).order_by("-pk").first()
            context.update(
                demand=demand,
                order=order,
                reply=reply,
                # A reply followed by 重办: the citizen sees it, marked as the earlier one.
                reply_is_earlier=reply is not None and order.status not in REPLIED_STATUSES,
                status_words=status_words(order) if order is not None else demand.get_disposition_display(),
                timeline=timeline(demand, order, merged=merged is not None),
            )
    return render(request, "public/portal_status.html", context)


@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen's one-time evaluation page (自评), reached from the text message."""
    link = link_for(token)
    if link is None:
        raise Http404
    now = timezone.now()
    problem = link_problem(link, now)
    form = AnswersForm(request.POST or None)
    status = 200 if not problem else 410
    if request.method == "POST" and not problem:
        status = 400
        if form.is_valid():
            try:
                self_evaluate(token=token, **form.cleaned_data)
            except DomainError as exc:
                problem, status = exc.detail, exc.status_code
            else:
                return render(request, "public/evaluate.html", {"done": True, "link": link})
    return render(request, "public/evaluate.html", {"link": link, "form": form, "problem": problem}, status=status)
