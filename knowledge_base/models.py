"""Knowledge base (知识库). This first cut holds what intake needs: an article that answered a call
is recorded on the demand (直接答复) and its use counted. Versions, review and search come with the
knowledge-base issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Article(models.Model):
    """A policy answer agents read to callers."""

    title = models.CharField(_("title"), max_length=200)
    questions = models.TextField(_("question variants"), blank=True)  # one per line: how citizens ask it
    body = models.TextField(_("answer"))
    category = models.ForeignKey(
        "core.Category", verbose_name=_("matter category"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    answered_count = models.PositiveIntegerField(_("calls answered"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")

    def __str__(self) -> str:
        return self.title
