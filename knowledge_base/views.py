"""Knowledge base (知识库): agents' search, the article page, the editors' list, edit (with preview),
review actions, versions with diffs, Excel import/export, usage; and the agent workbench's panel."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from hotline.core.exceptions import DomainError
from hotline.core.models import Category
from hotline.core.navigation import WORKBENCH_KB_MANAGE, WORKBENCH_KNOWLEDGE
from hotline.core.pagination import page_number, page_of
from hotline.core.views import WorkbenchView, check_permission

from . import services
from .forms import ArticleForm, ManageFilterForm
from .models import Article, ArticleStatus, NotHelpful, SearchLog
from .search import search, searchable

PAGE = 10


class SearchPage(WorkbenchView):
    """Agents' search: published, valid articles, best first, highlighted."""

    nav_item = WORKBENCH_KNOWLEDGE
    template_name = "knowledge_base/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()[:200]
        page = page_number(self.request.GET.get("page"))
        hits, log = [], None
        if q:
            hits = search(q, limit=PAGE + 1, offset=(page - 1) * PAGE)
            if page == 1:
                log = services.search_logged(query=q, by=self.request.user, results=len(hits))
        context.update(
            q=q,
            hits=hits[:PAGE],
            has_next=len(hits) > PAGE,
            page=page,
            log=log,
            first=(page - 1) * PAGE + 1,
            is_editor=services.is_editor(self.request.user),
        )
        return context


class ArticlePage(WorkbenchView):
    """One article: what agents read; for editors also its workflow, versions and history."""

    nav_item = WORKBENCH_KNOWLEDGE
    template_name = "knowledge_base/article.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        editor = services.is_editor(self.request.user)
        qs = Article.objects.select_related("category", "owner", "created_by", "updated_by")
        article = get_object_or_404(qs if editor else searchable().select_related("category", "owner"), pk=pk)
        log_id = self.request.GET.get("s", "")
        if log_id.isdecimal():
            services.search_clicked(log_id=int(log_id), article=article, by=self.request.user)
        context.update(
            article=article,
            is_editor=editor,
            # 审核: the editor who submitted waits for another; the buttons appear only for those who may.
            can_review=editor and has_transition_perm(article.publish, self.request.user),
            versions=article.versions.select_related("changed_by") if editor else [],
            events=article.events.select_related("by")[:30] if editor else [],
        )
        return context


def _editor(request: HttpRequest) -> None:
    if not services.is_editor(request.user):
        raise PermissionDenied(_("Only knowledge-base editors can do this."))


class ManagePage(WorkbenchView):
    """The editors' list with filters, the expiring, the most used, the gaps and the complaints."""

    nav_item = WORKBENCH_KB_MANAGE
    template_name = "knowledge_base/manage.html"

    def filtered(self):
        form = ManageFilterForm(self.request.GET or None)
        qs = Article.objects.select_related("category", "owner").order_by("-updated_at", "-id")
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                qs = qs.filter(title__icontains=data["q"])
            if data["status"]:
                qs = qs.filter(status=data["status"])
            if data["category"]:
                qs = qs.filter(category=data["category"])
            if data["owner"]:
                qs = qs.filter(owner=data["owner"])
            if data["expiring"]:
                qs = qs.filter(pk__in=services.expiring_soon().values("pk"))
        return form, qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, qs = self.filtered()
        since = timezone.now() - dt.timedelta(days=30)
        context.update(
            form=form,
            page_obj=page_of(qs, self.request.GET.get("page"), size=30),
            expiring=services.expiring_soon()[:10],
            in_review=Article.objects.filter(status=ArticleStatus.IN_REVIEW).order_by("updated_at")[:10],
            top_used=Article.objects.filter(answered_count__gt=0).order_by("-answered_count")[:10],
            top_unhelpful=Article.objects.filter(not_helpful_count__gt=0).order_by("-not_helpful_count")[:10],
            top_missing=(
                SearchLog.objects.filter(at__gte=since, clicked__isnull=True)
                .values("query")
                .annotate(n=Count("id"), found=Count("id", filter=Q(results__gt=0)))
                .order_by("-n", "query")[:10]
            ),
            recent_unhelpful=NotHelpful.objects.select_related("article", "by")[:10],
        )
        return context


class EditPage(WorkbenchView):
    """Create or edit an article, with a preview before saving."""

    nav_item = WORKBENCH_KB_MANAGE
    template_name = "knowledge_base/edit.html"

    def article(self, pk):
        return get_object_or_404(Article, pk=pk) if pk else None

    def get_context_data(self, pk=None, form=None, preview=None, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.article(pk)
        if form is None:
            initial = {}
            if article:
                initial = {
                    f: getattr(article, f)
                    for f in (
                        "title",
                        "questions",
                        "body",
                        "source_title",
                        "source_number",
                        "source_url",
                        "valid_from",
                        "valid_until",
                        "keywords",
                    )
                }
                initial.update(category=article.category_id, owner=article.owner_id)
            form = ArticleForm(initial=initial)
        context.update(article=article, form=form, preview=preview)
        return context

    def post(self, request, pk=None):
        _editor(request)
        article = self.article(pk)
        form = ArticleForm(request.POST)
        status = 400
        if form.is_valid():
            if "preview" in request.POST:
                return self.render_to_response(self.get_context_data(pk=pk, form=form, preview=form.cleaned_data))
            try:
                saved = services.article_save(
                    by=request.user, article=article, note=form.cleaned_data["note"], **form.values()
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(request, _("Saved as version %(v)s.") % {"v": saved.version})
                return redirect("knowledge_base:article", pk=saved.pk)
        return self.render_to_response(self.get_context_data(pk=pk, form=form), status=status)


ACTIONS = {
    "submit": lambda a, u, note: services.article_submit(article=a, by=u),
    "publish": lambda a, u, note: services.article_publish(article=a, by=u, note=note),
    "send_back": lambda a, u, note: services.article_send_back(article=a, by=u, note=note),
    "withdraw": lambda a, u, note: services.article_withdraw(article=a, by=u, note=note),
}


@login_required
@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _editor(request)
    article = get_object_or_404(Article, pk=pk)
    run = ACTIONS.get(action)
    if run is None:
        return HttpResponse(status=404)
    try:
        run(article, request.user, request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Done."))
    return redirect("knowledge_base:article", pk=pk)


class DiffPage(WorkbenchView):
    nav_item = WORKBENCH_KB_MANAGE
    template_name = "knowledge_base/diff.html"

    def get_context_data(self, pk, number, **kwargs):
        context = super().get_context_data(**kwargs)
        article = get_object_or_404(Article, pk=pk)
        against = self.request.GET.get("against")
        try:
            lines = services.version_diff(article, number, int(against) if against and against.isdecimal() else None)
        except DomainError as exc:
            raise Http404(exc.detail) from exc
        context.update(article=article, number=number, lines=lines)
        return context


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _editor(request)
    data = services.articles_export(ManagePage(request=request).filtered()[1])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="knowledge-{timezone.localdate()}.xlsx"'
    return response


@login_required
@require_POST
def import_xlsx(request: HttpRequest) -> HttpResponse:
    _editor(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an .xlsx file to import."))
        return redirect("knowledge_base:manage")
    try:
        result = services.articles_import(data=upload.read(), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("knowledge_base:manage")
    messages.success(
        request,
        _("Imported: %(c)s created, %(u)s updated, %(n)s unchanged.")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
    )
    for error in result.errors[:20]:
        messages.warning(request, error)
    return redirect("knowledge_base:manage")


# --- the agent workbench's panel ------------------------------------------------------------------


@login_required
@require_POST
def suggestions(request: HttpRequest) -> HttpResponse:
    """Articles for the call being typed: the agent's own search words, else the matter and content."""
    check_permission(request.user, "knowledge_base.read_articles")
    q = request.POST.get("kb_q", "").strip()[:200]
    category = Category.objects.filter(code=(request.POST.get("category", "").split() or [""])[0]).first()
    query = q or " ".join(filter(None, [category.name if category else "", request.POST.get("content", "")[:60]]))
    hits = search(query, limit=5) if query.strip() else []
    # Only a search the agent commits to (Enter) is logged: the prefixes typed on the way (公积, 公积金提)
    # would swamp the editors' list of searches without an answer.
    committed = q and request.POST.get("kb_enter") == "1"
    log = services.search_logged(query=q, by=request.user, results=len(hits)) if committed else None
    return render(request, "knowledge_base/_suggestions.html", {"hits": hits, "query": query, "log": log, "typed": q})


@login_required
@require_POST
def not_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    check_permission(request.user, "knowledge_base.read_articles")
    article = get_object_or_404(searchable(), pk=pk)
    services.article_not_helpful(
        article=article, by=request.user, query=request.POST.get("query", ""), note=request.POST.get("note", "")
    )
    return HttpResponse(f'<span class="text-muted small" role="status">{_("Thanks: the editors will see it.")}</span>')
