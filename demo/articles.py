"""Demo knowledge base for `seeddemo`: the hand-written policy answers of data/articles.json
(published, with their owners and sources) and a few hundred generated ones. Idempotent."""

import json
from pathlib import Path

from hotline.core.models import Category, Unit
from knowledge_base.models import Article, ArticleStatus
from knowledge_base.services import reindex

from .knowledge import generate_articles

ARTICLES = Path(__file__).parent / "data" / "articles.json"
GENERATED_FOR_DEMO = 300


def articles_seed(*, generated: int = GENERATED_FOR_DEMO) -> int:
    """Load the written articles (those missing, by title) and top the corpus up with generated ones.
    Returns the number of articles."""
    items = json.loads(ARTICLES.read_text(encoding="utf-8")) if ARTICLES.exists() else []
    categories = {c.code: c for c in Category.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    touched = []
    for item in items:
        # Created once: editors' later changes are theirs, a second seeddemo does not undo them.
        article, created = Article.objects.get_or_create(
            title=item["title"],
            defaults={
                "questions": "\n".join(item.get("questions", [])),
                "body": item["body"],
                "category": categories.get(item.get("category", "")),
                "owner": units.get(item.get("owner", "")),
                "source_title": item.get("source_title", ""),
                "source_number": item.get("source_number", ""),
                "keywords": " ".join(item.get("keywords", [])),
                "status": ArticleStatus.PUBLISHED,
            },
        )
        if created:
            touched.append(article)
    reindex(touched)
    missing = generated - (Article.objects.count() - len(items))
    if missing > 0:
        generate_articles(count=missing, seed=2026)
    return Article.objects.count()
