"""Reads of intake: callers as a user may see them (masked; 保密 callers hidden from units), a caller's
earlier demands, and how alike two demands' words are. Which demands a unit sees depends on its orders:
that is dispatch's (dispatch.selectors.demands_visible_to)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from hotline.core.models import Category
from hotline.core.reference import reference
from hotline.core.selectors import is_city_hotline_staff

from .choices import SuggestionOutcome, SuggestionStage
from .models import AutoDispatchPolicy, CategorySuggestion, ClassifierModel, Demand, RecordTemplate

HISTORY_LIMIT = 20


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def caller_identity_for(user, demand: Demand) -> dict:
    """The caller as this user may see them: always masked here; confidential callers are hidden
    from handling units entirely (保密)."""
    if demand.confidential and not is_city_hotline_staff(user):
        return {"caller_name": "", "caller_phone": "", "confidential": True}
    return {
        "caller_name": mask_name(demand.caller_name),
        "caller_phone": mask_phone(demand.caller_phone),
        "confidential": demand.confidential,
    }


def caller_demands(phone: str) -> QuerySet[Demand]:
    """来电历史: the caller's demands through every channel, newest first (one indexed lookup)."""
    if not phone:
        return Demand.objects.none()
    return (
        Demand.objects.filter(**Demand.phone_lookup(phone))
        .select_related("category", "street")
        .order_by("-received_at")
    )


def uncategorised_history_visible_to(user) -> QuerySet[Demand]:
    """智能派单: imported history without a category, for the city hotline's dispatchers to categorise (the
    model's suggestions beside each), oldest first. Served by the partial index demand_uncategorised."""
    if not (user.is_authenticated and is_city_hotline_staff(user)):
        return Demand.objects.none()
    return Demand.objects.filter(category__isnull=True).select_related("street", "district").order_by("id")


def automatic_categories_visible_to(user) -> QuerySet[Demand]:
    """Demands categorised by the model (自动分类), newest first, for a dispatcher to check and correct; the
    city hotline's staff see every one. Served by the partial index demand_category_auto."""
    if not (user.is_authenticated and is_city_hotline_staff(user)):
        return Demand.objects.none()
    return (
        Demand.objects.filter(category_auto=True)
        .select_related("category", "street", "district")
        .order_by("-received_at", "-id")
    )


def bigrams(text: str) -> set[str]:
    """The pairs of adjacent letters, digits or hanzi of a text (for `dice`)."""
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def dice(x: set[str], y: set[str]) -> float:
    """Dice coefficient of two bigram sets (a caller comparing one text with many computes its set once)."""
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams: works for Chinese without a word segmenter."""
    return dice(bigrams(a), bigrams(b))


# --- smart dispatch (智能派单): what the active model suggests, and how well it does ---------------------


@dataclass
class Suggested:
    """One category the model suggests for a text, with its confidence (0–1, not a calibrated probability)."""

    category: Category
    confidence: float


def active_version() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(is_active=True).first()


def suggest(
    content: str, *, k: int = 3, version: ClassifierModel | None = None
) -> tuple[ClassifierModel | None, list[Suggested]]:
    """The active model's k best level-3 categories for a text, best first (categories retired since the model
    was trained are skipped). No active model, or an empty text: no suggestions."""
    from . import classifier

    version = version or active_version()
    if version is None or not (content or "").strip():
        return version, []
    model = classifier.loaded(version)
    probabilities = model.probabilities([content[:5000]])[0]
    ref = reference()
    out: list[Suggested] = []
    for index in probabilities.argsort()[::-1]:
        category = ref.category_by_code.get(str(model.codes[index]))
        if category is not None and category.is_active and category.level == 3:
            out.append(Suggested(category, round(float(probabilities[index]), 4)))
            if len(out) == k:
                break
    return version, out


def auto_policy() -> AutoDispatchPolicy:
    return AutoDispatchPolicy.objects.order_by("pk").first() or AutoDispatchPolicy()


def auto_threshold(version: ClassifierModel | None, policy: AutoDispatchPolicy | None = None) -> float | None:
    """The confidence above which the active model categorises on its own, or None when auto-dispatch is off
    or the model's measured precision never reaches the required one."""
    from . import classifier

    policy = policy or auto_policy()
    if version is None or not policy.enabled:
        return None
    return classifier.threshold_for(version.metrics.get("curve", []), float(policy.precision))


def acceptance_by_week(*, weeks: int = 12, now=None) -> list[dict]:
    """How often people kept the model's top suggestion, week by week (the desk, the dispatcher and imported
    history: decisions a person made with the suggestions in front of them)."""
    now = now or timezone.now()
    start = timezone.localdate(now) - dt.timedelta(weeks=weeks)
    rows = (
        CategorySuggestion.objects.filter(
            at__date__gte=start,
            stage__in=[SuggestionStage.DESK, SuggestionStage.DISPATCH, SuggestionStage.HISTORY],
        )
        .annotate(week=TruncWeek("at"))
        .values("week")
        .annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(outcome=SuggestionOutcome.ACCEPTED)),
            in_top3=Count("id", filter=Q(outcome__in=[SuggestionOutcome.ACCEPTED, SuggestionOutcome.OTHER])),
            used=Count("id", filter=Q(used=True)),
        )
        .order_by("week")
    )
    return [
        {
            "week": timezone.localdate(r["week"]).isoformat() if isinstance(r["week"], dt.datetime) else str(r["week"]),
            "n": r["n"],
            "accepted": r["accepted"],
            "acceptance": round(r["accepted"] / r["n"], 4) if r["n"] else None,
            "top3": round(r["in_top3"] / r["n"], 4) if r["n"] else None,
            "used": r["used"],
        }
        for r in rows
    ]


def automatic_counts() -> dict:
    """Demands categorised automatically, and how many a person has corrected since."""
    return {
        "automatic": CategorySuggestion.objects.filter(stage=SuggestionStage.AUTO).count(),
        "corrected": CategorySuggestion.objects.filter(stage=SuggestionStage.CORRECTION).count(),
        "waiting": Demand.objects.filter(category_auto=True).count(),
    }


def classifier_report(*, now=None) -> dict:
    """What the accuracy page and GET /api/v1/intake/classifier/ show: the active version's measurements, the
    auto-dispatch threshold and its precision, the agents' acceptance over time, the versions."""
    version = active_version()
    policy = auto_policy()
    threshold = auto_threshold(version, policy)
    at_threshold = None
    if version is not None and threshold is not None:
        at_threshold = next((p for p in version.metrics.get("curve", []) if p["threshold"] == threshold), None)
    return {
        "model": version,
        "policy": policy,
        "threshold": threshold,
        "at_threshold": at_threshold,
        "acceptance": acceptance_by_week(now=now),
        "automatic": automatic_counts(),
        "versions": list(ClassifierModel.objects.all()[:20]),
    }


# The portal's short list (常见事项) before the hotline has demands of its own to count: what citizens
# most often report (the category codes of the shipped tree).
COMMON_MATTERS_DEFAULT = ("010101", "010301", "010501", "020101", "020102", "010105", "010303", "010503")
COMMON_MATTERS = 8
COMMON_MATTERS_CACHE = "intake:common-matters"


def common_categories(*, days: int = 7) -> list[Category]:
    """常见事项: the level-3 categories reported most in the last `days` (counted at most once an hour, over
    the received_at index), topped up from the default list."""
    from django.core.cache import cache

    codes = cache.get(COMMON_MATTERS_CACHE)
    if codes is None:
        since = timezone.now() - dt.timedelta(days=days)
        codes = list(
            Demand.objects.filter(received_at__gte=since, category__level=3, category__is_active=True)
            .values_list("category__code", flat=True)
            .annotate(n=Count("id"))
            .order_by("-n", "category__code")[:COMMON_MATTERS]
        )
        cache.set(COMMON_MATTERS_CACHE, codes, 3600)
    for code in COMMON_MATTERS_DEFAULT:
        if len(codes) >= COMMON_MATTERS:
            break
        if code not in codes:
            codes = [*codes, code]
    by_code = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True, level=3)}
    return [by_code[code] for code in codes if code in by_code]


RECORD_TEMPLATES_OFFERED = 200


def record_templates_for(user) -> list[RecordTemplate]:
    """受理模板 the desk offers an agent: the hotline's and their own, active, by the matter's code, then
    title (a template for any matter last)."""
    return list(
        RecordTemplate.objects.filter(is_active=True)
        .filter(Q(owner__isnull=True) | Q(owner=user))
        .select_related("category")
        .order_by("category__code", "title", "pk")[:RECORD_TEMPLATES_OFFERED]
    )


def own_record_templates(user) -> QuerySet[RecordTemplate]:
    """An agent's own 受理模板 (nobody else's: a template is personal until an admin makes it the hotline's)."""
    return RecordTemplate.objects.filter(owner=user).select_related("category").order_by("title", "pk")
