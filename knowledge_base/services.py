"""Writes of the knowledge base: edits with versions, the review workflow (who may do what), the
daily expiry, usage, search logging, the search index, and Excel import/export."""

from __future__ import annotations

import datetime as dt
import difflib
import io
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from hotline.core import spreadsheets
from hotline.core.access import may
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.maintenance import analyze
from hotline.core.models import Category, Unit, User

from .models import Article, ArticleEvent, ArticleStatus, ArticleVersion, NotHelpful, SearchLog
from .segment import index_terms

TEXT_FIELDS = ("title", "questions", "body", "keywords")
OTHER_FIELDS = ("category_id", "owner_id", "source_title", "source_number", "source_url", "valid_from", "valid_until")
EXPIRING_DAYS = 30
IMPORT_MAX_ROWS = 5000  # per upload: the request segments and indexes every row


def is_editor(user) -> bool:
    return may(user, "knowledge_base.edit_article")


def _check_editor(by: User) -> None:
    if not is_editor(by):
        raise Forbidden(_("Only knowledge-base editors can change articles."))


def _event(article: Article, kind: str, by: User | None, at: dt.datetime, note: str = "") -> None:
    ArticleEvent.objects.create(
        article=article, kind=kind, by=by if getattr(by, "pk", None) else None, at=at, note=note[:255]
    )


# --- the search index --------------------------------------------------------------------------------


def vector_sql() -> str:
    return (
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
        "|| setweight(to_tsvector('simple', %s), 'C')"
    )


def reindex(articles: list[Article]) -> None:
    """Recompute the weighted search vector of these articles."""
    if not articles:
        return
    rows = []
    for a in articles:
        terms = index_terms(title=a.title, questions=a.questions, keywords=a.keywords, body=a.body)
        rows.append((terms["A"], terms["B"], terms["C"], terms["A"], terms["B"], a.pk))
    head = "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE knowledge_base_article SET search_vector = {vector_sql()}, head_vector = {head} WHERE id = %s",
            rows,
        )


# --- editing -----------------------------------------------------------------------------------------


def _clean(values: dict) -> dict:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if not values.get("title"):
        raise InvalidInput(_("Give the article a title."), code="title_required")
    if not values.get("body"):
        raise InvalidInput(_("Write the answer."), code="body_required")
    start, end = values.get("valid_from"), values.get("valid_until")
    if start and end and end < start:
        raise InvalidInput(_("The article cannot expire before it starts."), code="invalid_validity")
    return values


@transaction.atomic
def article_save(
    *, by: User, article: Article | None = None, note: str = "", at: dt.datetime | None = None, **values
) -> Article:
    """Create an article (a draft) or edit one. An edit keeps the previous text as a version; a
    published article that is edited goes back to draft until it is reviewed again."""
    _check_editor(by)
    at = at or timezone.now()
    values = _clean(values)
    if article is None:
        article = Article.objects.create(**values, created_by=by, updated_by=by, status=ArticleStatus.DRAFT)
        _event(article, "created", by, at, note)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = {k: v for k, v in values.items() if getattr(article, k) != v}
        if not changed:
            return article
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            changed_by=by,
            changed_at=at,
            note=note[:255],
            **{f: getattr(article, f) for f in TEXT_FIELDS},
            fields={f: str(getattr(article, f) or "") for f in OTHER_FIELDS},
        )
        for key, value in changed.items():
            setattr(article, key, value)
        article.version += 1
        article.updated_by = by
        if can_proceed(article.revise):
            article.revise()  # changed text is reviewed again; an expired or withdrawn article comes back this way
        article.save()
        _event(article, "edited", by, at, note or ", ".join(sorted(changed)))
    reindex([article])
    return article


def _move(
    article: Article, *, by: User, method: str, kind: str, at: dt.datetime | None, note: str = "", prepare=None
) -> Article:
    """Lock, check, transition (Article's graph: django-fsm), save, record. The state is checked first
    (409 saying which states allow it), then who may (the transition's permission=, 403)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        transition = getattr(locked, method)
        if not can_proceed(transition):
            allowed = sorted({t.source for t in locked.get_all_status_transitions() if t.name == method})
            raise StateConflict(
                _("The article is “%(status)s”: this is only possible for %(allowed)s.")
                % {
                    "status": locked.get_status_display(),
                    "allowed": _(" or ").join(f"“{ArticleStatus(s).label}”" for s in allowed),
                },
                code="invalid_article_state",
            )
        if not has_transition_perm(transition, by):
            if method in ("publish", "send_back") and may(by, "knowledge_base.edit_article"):
                raise Forbidden(_("Another editor must review what you submitted."), code="own_submission")
            raise Forbidden(_("Only knowledge-base editors do this."))
        if prepare:
            prepare(locked)
        transition()
        locked.save(update_fields=["status", "updated_at", "submitted_by"])
        _event(locked, kind, by, at, note)
    return locked


def article_submit(*, article: Article, by: User, at=None) -> Article:
    """An editor sends a draft for review (待审核)."""
    _check_editor(by)

    def prepare(locked):
        locked.submitted_by = by

    return _move(article, by=by, method="submit", kind="submitted", at=at, prepare=prepare)


def article_publish(*, article: Article, by: User, at=None, note: str = "") -> Article:
    _check_editor(by)
    return _move(article, by=by, method="publish", kind="published", at=at, note=note)


def article_send_back(*, article: Article, by: User, note: str, at=None) -> Article:
    _check_editor(by)
    if not note.strip():
        raise InvalidInput(_("Say what must change."), code="reason_required")
    return _move(article, by=by, method="send_back", kind="sent_back", at=at, note=note)


def article_withdraw(*, article: Article, by: User, note: str = "", at=None) -> Article:
    _check_editor(by)
    return _move(article, by=by, method="withdraw", kind="withdrawn", at=at, note=note)


def articles_expire(*, today: dt.date | None = None) -> int:
    """The daily job: published articles past their `valid_until` become expired."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = list(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, valid_until__lt=today).values_list("pk", flat=True)
    )
    with transaction.atomic():
        Article.objects.filter(pk__in=expired, status=ArticleStatus.PUBLISHED).update(status=ArticleStatus.EXPIRED)
        ArticleEvent.objects.bulk_create(
            [ArticleEvent(article_id=pk, kind="expired", at=now, note=str(today)) for pk in expired]
        )
    return len(expired)


def expiring_soon(today: dt.date | None = None, days: int = EXPIRING_DAYS):
    today = today or timezone.localdate()
    return Article.objects.filter(
        status=ArticleStatus.PUBLISHED, valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=days)
    ).order_by("valid_until")


# --- versions ----------------------------------------------------------------------------------------


def version_text(obj) -> list[str]:
    lines = [f"# {obj.title}", ""]
    if obj.questions:
        lines += [f"? {q}" for q in obj.questions.splitlines() if q.strip()] + [""]
    lines += obj.body.splitlines()
    if obj.keywords:
        lines += ["", f"keywords: {obj.keywords}"]
    return lines


def version_diff(article: Article, number: int, against: int | None = None) -> list[str]:
    """A unified diff from version `number` to version `against` (default: the current text)."""
    old = article.versions.filter(number=number).first()
    if old is None:
        raise InvalidInput(_("No such version."), code="unknown_version")
    new = article if against is None or against == article.version else article.versions.filter(number=against).first()
    if new is None:
        raise InvalidInput(_("No such version."), code="unknown_version")
    new_number = against or article.version
    return list(difflib.unified_diff(version_text(old), version_text(new), f"v{number}", f"v{new_number}", lineterm=""))


# --- usage and searches ------------------------------------------------------------------------------


def article_used(*, article: Article, by: User | None = None, at: dt.datetime | None = None) -> None:
    """A call was answered with the article (直接答复): count it, and credit the agent's last search."""
    at = at or timezone.now()
    Article.objects.filter(pk=article.pk).update(answered_count=F("answered_count") + 1)
    if getattr(by, "pk", None):
        recent = (
            SearchLog.objects.filter(by=by, clicked__isnull=True, at__gte=at - dt.timedelta(minutes=15))
            .order_by("-at")
            .first()
        )
        if recent is not None:
            SearchLog.objects.filter(pk=recent.pk).update(clicked=article)


def article_not_helpful(
    *, article: Article, by: User, query: str = "", note: str = "", at: dt.datetime | None = None
) -> None:
    at = at or timezone.now()
    NotHelpful.objects.create(
        article=article, by=by, at=at, query=query.replace("\x00", "")[:200], note=note.replace("\x00", "")[:255]
    )
    Article.objects.filter(pk=article.pk).update(not_helpful_count=F("not_helpful_count") + 1)


def search_logged(*, query: str, by: User | None, results: int, at: dt.datetime | None = None) -> SearchLog:
    return SearchLog.objects.create(
        query=query.replace("\x00", "").strip()[:200],
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
        results=results,
    )


def search_clicked(*, log_id: int, article: Article, by: User) -> None:
    SearchLog.objects.filter(pk=log_id, by=by, clicked__isnull=True).update(clicked=article)


# --- Excel -------------------------------------------------------------------------------------------

COLUMNS = [
    "id",
    "title",
    "questions",
    "body",
    "category",
    "owner",
    "source_title",
    "source_number",
    "source_url",
    "valid_from",
    "valid_until",
    "keywords",
    "status",
    "version",
]


def articles_export(queryset) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "articles"
    spreadsheets.append(sheet, COLUMNS)
    for a in queryset.select_related("category", "owner").iterator():
        spreadsheets.append(
            sheet,
            [
                a.pk,
                a.title,
                a.questions,
                a.body,
                a.category.code if a.category else "",
                a.owner.code if a.owner else "",
                a.source_title,
                a.source_number,
                a.source_url,
                a.valid_from,
                a.valid_until,
                a.keywords,
                a.status,
                a.version,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def articles_import(*, data: bytes, by: User) -> ImportResult:
    """Rows with an id edit that article (a new version), rows without one create drafts. A bad row
    is reported with its row number and skipped; the others are kept."""
    from openpyxl import load_workbook

    _check_editor(by)
    result = ImportResult()
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a (sound) workbook
        raise InvalidInput(_("This is not an Excel workbook (.xlsx)."), code="invalid_workbook") from exc
    if len(rows) > IMPORT_MAX_ROWS + 1:
        raise InvalidInput(_("At most %(n)s rows per import.") % {"n": IMPORT_MAX_ROWS}, code="too_many_rows")
    header = [str(h or "").strip() for h in rows[0]] if rows else []
    rows = iter(rows[1:])
    if "title" not in header or "body" not in header:
        raise InvalidInput(_("The first row must name the columns (at least title and body)."), code="invalid_header")
    from .forms import ArticleForm

    categories = {c.code: c.pk for c in Category.objects.filter(level=3)}
    units = {u.code: u.pk for u in Unit.objects.all()}
    for number, row in enumerate(rows, start=2):
        record = dict(zip(header, row))
        if not any(v not in (None, "") for v in record.values()):
            continue
        try:
            # The same checks as the edit page (lengths, URL schemes, dates), then the same service.
            category, owner = str(record.get("category") or "").strip(), str(record.get("owner") or "").strip()
            if category and category not in categories:
                raise InvalidInput(_("unknown category %(c)s") % {"c": category})
            if owner and owner not in units:
                raise InvalidInput(_("unknown unit %(c)s") % {"c": owner})
            form = ArticleForm(
                {
                    **{
                        k: ""
                        if record.get(k) is None
                        else str(_date(record[k]) if k.startswith("valid_") else record[k])
                        for k in (
                            "title",
                            "questions",
                            "body",
                            "keywords",
                            "source_title",
                            "source_number",
                            "source_url",
                            "valid_from",
                            "valid_until",
                        )
                    },
                    "category": categories.get(category, ""),
                    "owner": units.get(owner, ""),
                }
            )
            if not form.is_valid():
                raise InvalidInput("; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
            values = form.values()
            pk = record.get("id")
            with transaction.atomic():
                if pk in (None, ""):
                    article_save(by=by, note=_("Imported"), **values)
                    result.created += 1
                else:
                    article = Article.objects.filter(pk=int(pk)).first() if str(pk).strip().isdecimal() else None
                    if article is None:
                        raise InvalidInput(_("no article %(id)s") % {"id": pk})
                    saved = article_save(by=by, article=article, note=_("Imported"), **values)
                    if saved.version == article.version:
                        result.unchanged += 1
                    else:
                        result.updated += 1
        except (InvalidInput, ValueError, DatabaseError) as exc:
            result.errors.append(_("Row %(n)s: %(error)s") % {"n": number, "error": getattr(exc, "detail", str(exc))})
    if result.created + result.updated >= 100:  # a bulk load: the planner learns the new rows now
        analyze(Article)
    return result
