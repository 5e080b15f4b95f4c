"""Knowledge-base search that works for Chinese.

PostgreSQL: the query's words are looked up in the weighted `search_vector` (GIN) and, for queries of
3 characters or more, as a substring of title, questions and body (pg_trgm GIN indexes); both are
merged in one statement and ranked: title above questions above body. SQLite (the embedded default):
substring matching of the words, ranked the same way in Python."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, ArticleStatus
from .segment import normalise, query_terms

SNIPPET = 80
FEW = 5  # fewer articles with every word than this: widen to any word


def searchable(today: dt.date | None = None):
    """Published and valid today: the only articles agents are shown."""
    today = today or timezone.localdate()
    return Article.objects.filter(status=ArticleStatus.PUBLISHED).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


@dataclass
class Hit:
    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString


def _tsquery(terms: list[str], operator: str = "|") -> str:
    # Terms hold letters, digits and hanzi only (segment._PUNCT), so quoting them is enough.
    return f" {operator} ".join("'" + t.replace("'", "") + "'" for t in terms)


# The two tiers of a search: title, questions and keywords first; then the body.
HEAD = ("head_vector", ("title", "questions"))
BODY = ("search_vector", ("body",))
BOOST = {"title": 3, "questions": 2, "body": 1}


def _pg_ids(
    query: str,
    terms: list[str],
    *,
    limit: int,
    offset: int,
    category_id: int | None,
    today: dt.date,
    operator: str = "&",
    exclude: tuple[int, ...] = (),
    tier=HEAD,
):
    vector, columns = tier
    text = re.sub(r"\s+", "", normalise(query))
    # The substring branch is only written out for 3+ characters, so that the planner sees plain
    # indexable conditions: a BitmapOr of the tsvector GIN and the trigram GIN indexes.
    substring = len(text) >= 3
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    substring_match = " ".join(f"OR a.{c} ILIKE %(like)s" for c in columns) if substring else ""
    substring_score = (
        " ".join(f"+ CASE WHEN strpos(a.{c}, %(text)s) > 0 THEN {BOOST[c]} ELSE 0 END" for c in columns)
        if substring
        else ""
    )
    sql = f"""
        SELECT a.id, ts_rank(a.{vector}, to_tsquery('simple', %(tsq)s), 32) * 10 {substring_score} AS score
        FROM knowledge_base_article a
        WHERE (a.{vector} @@ to_tsquery('simple', %(tsq)s) {substring_match})
          AND a.status = 'published'
          AND (a.valid_from IS NULL OR a.valid_from <= %(today)s)
          AND (a.valid_until IS NULL OR a.valid_until >= %(today)s)
          {"AND a.category_id = %(category)s" if category_id else ""}
          {"AND NOT (a.id = ANY(%(exclude)s))" if exclude else ""}
        ORDER BY score DESC, a.id
        LIMIT %(limit)s OFFSET %(offset)s
    """
    params = {
        "like": like,
        "text": text,
        "tsq": _tsquery(terms, operator),
        "exclude": list(exclude),
        "today": today,
        "category": category_id,
        "limit": limit,
        "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pg_search(query: str, terms: list[str], *, limit: int, offset: int, category_id, today: dt.date):
    """Tier by tier (title and questions, then body), articles with every word first; only when hardly
    any article of a tier has them all (a question's words rarely all appear), those with any word.
    A tier is ranked only while the page is not full, so a common word (北京, 办理) in thousands of
    bodies costs nothing when titles answer the query."""
    want = offset + limit
    found: list[tuple[int, float]] = []
    for tier in (HEAD, BODY):
        tier_start = len(found)
        for operator in ("&", "|"):
            if operator == "|" and (len(terms) < 2 or len(found) - tier_start >= FEW):
                continue
            found += _pg_ids(
                query,
                terms,
                limit=want - len(found),
                offset=0,
                category_id=category_id,
                today=today,
                operator=operator,
                exclude=tuple(pk for pk, _ in found),
                tier=tier,
            )
            if len(found) >= want:
                return found[offset:want]
    return found[offset:want]


def _mark(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of a term (case-insensitively) in <mark>. Matches are found
    in the raw text and the pieces escaped one by one, so a term never lands inside an entity."""
    terms = [t for t in sorted(set(terms), key=len, reverse=True) if t]
    if not terms:
        return mark_safe(escape(text))  # noqa: S308 — escaped
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece was escaped; only <mark> is added


def _snippet(body: str, terms: list[str]) -> str:
    lower = body.lower()
    first = min((i for i in (lower.find(t) for t in terms if t) if i >= 0), default=0)
    start = max(0, first - SNIPPET // 4)
    return ("…" if start else "") + body[start : start + SNIPPET] + ("…" if start + SNIPPET < len(body) else "")


MAX_RESULTS = 1000  # how deep a search may page (a bigger offset is refused or clamped)


def search(query: str, *, limit: int = 10, offset: int = 0, category=None, today: dt.date | None = None) -> list[Hit]:
    """The published, valid articles that answer `query`, best first, highlighted."""
    terms = query_terms(query)
    if not terms or offset >= MAX_RESULTS:
        return []
    limit = min(limit, MAX_RESULTS - offset)
    today = today or timezone.localdate()
    category_id = getattr(category, "pk", category)
    rows = _pg_search(query, terms, limit=limit, offset=offset, category_id=category_id, today=today)
    articles = Article.objects.select_related("category", "owner").in_bulk([pk for pk, _ in rows])
    highlight = list(dict.fromkeys([*terms, re.sub(r"\s+", "", normalise(query))]))
    return [
        Hit(
            articles[pk],
            float(score),
            _mark(articles[pk].title, highlight),
            _mark(_snippet(articles[pk].body, highlight), highlight),
        )
        for pk, score in rows
        if pk in articles
    ]
