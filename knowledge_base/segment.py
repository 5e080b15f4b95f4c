"""Chinese word segmentation for knowledge-base search (jieba, with a user dictionary of hotline
terms so that 公积金提取 or 供暖不热 stay whole).

Indexing: title, questions and keywords become their jieba words (search mode: 公积金提取 also yields
公积金 and 提取), plus every character and every pair of characters, so that a 1–2 character query
(社保, 暖) is a lexeme of the index; the body becomes its jieba words. Querying: the query's jieba
words without the filler of spoken questions (我, 怎么办, 吗…)."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"
# Words a caller wraps a question in; they say nothing about the matter.
STOPWORDS = frozenset(
    "我 你 他 她 它 我们 您 的 了 吗 呢 吧 啊 呀 和 与 及 或 是 在 有 要 想 能 会 可以 可 怎么 怎么办 怎样 如何 什么 哪里 哪儿 "
    "去哪 请问 请 问 一下 办理 需要 多少 几 个 这 那 还 就 都 也 又 给 让 被 把 对 为 为什么 不 没 没有 家 家里 现在 已经".split()
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_lock = threading.Lock()
_ready = False
logger = logging.getLogger(__name__)


def _jieba():
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                if USER_DICT.exists():
                    jieba.load_userdict(str(USER_DICT))
                _ready = True
    return jieba


def normalise(text: str) -> str:
    # NUL cannot reach PostgreSQL; it is never part of a word anyway.
    return unicodedata.normalize("NFKC", (text or "").replace("\x00", "")).lower()


def words(text: str) -> list[str]:
    """jieba's search-mode words of `text` (long words and their parts), without punctuation."""
    text = normalise(text)
    out = []
    for word in _jieba().cut_for_search(text):
        word = _PUNCT.sub("", word)
        if word:
            out.append(word)
    return out


def grams(text: str) -> list[str]:
    """Every character and every pair of adjacent characters of each run of letters/digits/hanzi."""
    out = []
    for run in _PUNCT.split(normalise(text)):
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_terms(*, title: str, questions: str, keywords: str, body: str) -> dict[str, str]:
    """The space-separated lexemes of each weight class: A (title), B (questions, keywords), C (body)."""
    return {
        "A": " ".join(words(title) + grams(title)),
        "B": " ".join(words(questions) + grams(questions) + words(keywords) + grams(keywords)),
        "C": " ".join(words(body)),
    }


def query_terms(query: str) -> list[str]:
    """The lexemes to look for: the query itself when it is one short run (社保, 暖), otherwise its
    words in jieba's precise mode (公积金 提取, not also 公积 积金) without spoken filler. Every
    precise word of the query is also a lexeme of a matching article, whose index holds the
    search-mode words. Unique, in order."""
    text = _PUNCT.sub("", normalise(query))
    if not text:
        return []
    if len(text) <= 2:
        return [text]
    precise = [_PUNCT.sub("", w) for w in _jieba().lcut(text)]
    terms = [w for w in precise if w and w not in STOPWORDS and len(w) > 1] or [w for w in precise if len(w) > 1]
    return list(dict.fromkeys(terms or [text]))


def cut(text: str, *, new_words: bool = True) -> list[str]:
    """jieba's accurate-mode words of `text` (each phrase once, as written: 搅拌站 / 噪音 / 扰民), without
    punctuation — for finding what many texts are about (governance.mining). `new_words=False`: only the
    dictionary's words (no HMM guessing of unknown ones; a third faster)."""
    out = []
    for word in _jieba().lcut(normalise(text), HMM=new_words):
        word = _PUNCT.sub("", word)
        if word:
            out.append(word)
    return out


def idf(word: str) -> float:
    """How rare a word is in general Chinese (jieba's bundled IDF table): common words weigh little."""
    import jieba.analyse

    table = jieba.analyse.default_tfidf
    return table.idf_freq.get(word, table.median_idf)
