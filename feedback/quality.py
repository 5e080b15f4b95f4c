"""The reply quality check (双反馈审核): flags on a unit's reply that the hotline's reviewer should read twice
before accepting it — the reply does not address the demand, it is boilerplate the unit pastes into many
orders, it is too short for the matter, or it says "resolved" (or "contacted") while its own words say
otherwise. Flags inform the reviewer and are counted per unit (a process indicator); they never accept or
send back a reply by themselves.

Relevance is measured with the smart-dispatch model's TF-IDF space (intake.classifier) when a model is
active — the cosine of the demand's and the reply's vectors — and with character pairs otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

OFF_TOPIC = "off_topic"
BOILERPLATE = "boilerplate"
TOO_SHORT = "too_short"
CONTRADICTS = "contradicts"
LABELS = {
    OFF_TOPIC: _("Does not address the demand"),
    BOILERPLATE: _("Same text as the unit's other replies"),
    TOO_SHORT: _("Too short for the matter"),
    CONTRADICTS: _("Says resolved or contacted, but its words say otherwise"),
}

# Below this similarity between the demand and the reply, the reply names nothing of the matter.
MODEL_RELEVANCE = 0.05
PAIR_RELEVANCE = 0.04
# The same words in this many of the unit's other replies within the window: pasted, not written.
BOILERPLATE_REPEATS = 3
BOILERPLATE_DAYS = 90
# The fewest characters a reply to the citizen needs, by demand type: a consultation may be answered in a
# sentence; a complaint or a request for help needs what was done, by whom, and what comes next.
MIN_LENGTH = {"consult": 15, "suggestion": 10, "praise": 8}
MIN_LENGTH_DEFAULT = 30
NOT_RESOLVED = (
    "未解决",
    "没有解决",
    "没解决",
    "无法解决",
    "不能解决",
    "暂未解决",
    "尚未解决",
    "解决不了",
    "无法处理",
    "暂时无法",
    "无法落实",
    "不具备条件",
    "不属于我单位",
)
NOT_CONTACTED = ("未联系上", "没有联系上", "联系不上", "未能联系", "无法联系", "电话无人接听", "未接通")
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def normalised(text: str) -> str:
    """The reply's letters, digits and hanzi only (spacing, punctuation and width do not make a text new)."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalised(text).encode()).hexdigest()[:32]


def relevance(demand_text: str, reply_text: str) -> float:
    """How much the reply speaks of the demand's matter (0–1)."""
    from intake import classifier
    from intake.selectors import active_version, similarity

    try:
        version = active_version()
        if version is not None:
            vectors = classifier.loaded(version).vectors([demand_text, reply_text])
            return float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    except Exception:  # an unreadable model: character pairs, as without one
        pass
    return similarity(demand_text, reply_text)


def relevance_floor() -> float:
    from intake.selectors import active_version

    try:
        return MODEL_RELEVANCE if active_version() is not None else PAIR_RELEVANCE
    except Exception:
        return PAIR_RELEVANCE


def flags_for(
    *,
    demand_text: str,
    demand_type: str,
    reply_to_citizen: str,
    reply_to_hotline: str,
    resolved: str,
    contacted: bool,
    repeats: int,
) -> list[str]:
    """The flags of one reply (`repeats`: how many of the unit's other recent replies have the same words)."""
    flags = []
    words = f"{reply_to_citizen} {reply_to_hotline}"
    if relevance(demand_text, words) < relevance_floor():
        flags.append(OFF_TOPIC)
    if repeats >= BOILERPLATE_REPEATS:
        flags.append(BOILERPLATE)
    if len(normalised(reply_to_citizen)) < MIN_LENGTH.get(demand_type, MIN_LENGTH_DEFAULT):
        flags.append(TOO_SHORT)
    said = normalised(words)
    if (resolved == "resolved" and any(p in said for p in NOT_RESOLVED)) or (
        contacted and any(p in said for p in NOT_CONTACTED)
    ):
        flags.append(CONTRADICTS)
    return flags


def window_start(at: dt.datetime) -> dt.datetime:
    return at - dt.timedelta(days=BOILERPLATE_DAYS)
