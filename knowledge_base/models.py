"""Knowledge base (知识库): policy answers agents read to callers, with owners, versions, review and
expiry, searchable in Chinese."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from hotline.core.access import may


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    IN_REVIEW = "in_review", _("In review")  # 待审核
    PUBLISHED = "published", _("Published")  # 已发布
    EXPIRED = "expired", _("Expired")  # 已过期
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


EDITOR = "knowledge_base.edit_article"


def _reviewer(article, user) -> bool:
    """Four eyes (审核): another editor publishes or sends back what an editor submitted; an admin may review
    their own."""
    return may(user, EDITOR) and (article.submitted_by_id != user.pk or may(user, "core.administer"))


class Article(models.Model):
    """A policy answer (知识). Only published articles within their validity are found by agents.

    The review is a state graph (django-fsm): the transitions below, each with who may take it; they never
    save: knowledge_base.services calls them, saves and writes the ArticleEvent."""

    title = models.CharField(_("title"), max_length=200)
    questions = models.TextField(_("question variants"), blank=True)  # one per line: how citizens ask it
    body = models.TextField(_("answer"))
    category = models.ForeignKey(
        "core.Category", verbose_name=_("matter category"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        "core.Unit", verbose_name=_("owning unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_title = models.CharField(_("source document"), max_length=200, blank=True)
    source_number = models.CharField(_("document number"), max_length=64, blank=True)  # 文号
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    status = FSMField(_("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    answered_count = models.PositiveIntegerField(_("calls answered"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("marked not helpful"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PostgreSQL search: the text segmented into words (jieba) plus, for title, questions and
    # keywords, every character and character pair (1–2 character queries are served by the index
    # too), weighted A (title) / B (questions, keywords) / C (body); GIN-indexed (segment.py).
    search_vector = SearchVectorField(null=True, editable=False)
    # The same for title, questions and keywords only: the first tier of a search (a title or
    # question match always ranks above a body-only one), small enough to rank quickly.
    head_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        indexes = [models.Index(fields=["status", "valid_until"], name="article_status_valid")]

    def __str__(self) -> str:
        return self.title

    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]

    # --- the review (审核): the rule each transition enforces is its docstring ---------------------------

    @transition(field=status, source=ArticleStatus.DRAFT, target=ArticleStatus.IN_REVIEW, permission=EDITOR)
    def submit(self):
        """An editor sends a draft for review (待审核)."""

    @transition(field=status, source=ArticleStatus.IN_REVIEW, target=ArticleStatus.PUBLISHED, permission=_reviewer)
    def publish(self):
        """Another editor publishes what was submitted: agents find it from now."""

    @transition(field=status, source=ArticleStatus.IN_REVIEW, target=ArticleStatus.DRAFT, permission=_reviewer)
    def send_back(self):
        """Another editor sends a submission back with what must change."""

    @transition(field=status, source=ArticleStatus.PUBLISHED, target=ArticleStatus.WITHDRAWN, permission=EDITOR)
    def withdraw(self):
        """An editor takes a published answer off the agents' search."""

    @transition(
        field=status,
        source=[ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED, ArticleStatus.EXPIRED, ArticleStatus.WITHDRAWN],
        target=ArticleStatus.DRAFT,
        permission=EDITOR,
    )
    def revise(self):
        """Changed text is reviewed again: an edit puts any article back to draft (an expired or withdrawn one
        comes back this way)."""

    @transition(field=status, source=ArticleStatus.PUBLISHED, target=ArticleStatus.EXPIRED)
    def expire(self):
        """The daily job: a published article past its `valid_until` (articles_expire takes many at once, by
        the same rule, in one UPDATE)."""


class ArticleVersion(models.Model):
    """The text of an article as it was before an edit (every edit keeps the previous text)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    questions = models.TextField(blank=True)
    body = models.TextField()
    keywords = models.CharField(max_length=255, blank=True)
    fields = models.JSONField(default=dict)  # the other fields (source, validity, category, owner)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")]


class ArticleEvent(models.Model):
    """Who did what to an article (审核留痕): submitted, published, sent back, withdrawn, expired."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class NotHelpful(models.Model):
    """An agent's "not helpful" on an article (for the editors)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="not_helpful")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    query = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at"]


class SearchLog(models.Model):
    """An agent's search: what was asked, how many answers, and which one was used (if any). Searches
    without a click are the knowledge base's gaps (top missing)."""

    query = models.CharField(max_length=200, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)
    results = models.PositiveIntegerField(default=0)
    clicked = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
