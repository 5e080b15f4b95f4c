"""Reads of intake: callers as a user may see them (masked; 保密 callers hidden from units), a caller's
earlier demands, and how alike two demands' words are. Which demands a unit sees depends on its orders:
that is dispatch's (dispatch.selectors.demands_visible_to)."""

from django.db.models import QuerySet

from hotline.core.selectors import is_city_hotline_staff

from .models import Demand

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
