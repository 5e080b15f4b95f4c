"""Smart dispatch (智能派单): a text classifier that suggests the matter category of a demand from the caller's
words, learned from the platform's own history and measured on a held-out slice of it.

The model: TF-IDF over jieba's words and the text's character pairs (so that a word jieba does not know, or
a character lost in transcription, still counts), and a Complement Naive Bayes classifier (Rennie et al.,
2003) on top. It trains in one pass over the data on the CPU — a million demands in minutes — and answers in
about a millisecond; the vectoriser's vocabulary is capped so that a model stays a few tens of megabytes.
Nothing is downloaded: the only language resource is jieba's dictionary, which ships with the package.

What it learns from: demands whose category a person chose or confirmed (an agent at the desk, a dispatcher
correcting it, an old system's category in imported history) — never a category the model set itself — and,
as extra text where history is thin, each knowledge-base article's title, question variants and keywords
under the article's category. The held-out slice is the newest tenth of the window's demands, because the
model will meet tomorrow's calls, not a random sample of last year's. Its confidences are not calibrated
probabilities: auto-dispatch therefore sets its threshold from the precision measured on that slice.

A stored model is a joblib file (a pickle of scikit-learn objects that reference `Tokens` and `analyse`
below by name: rename them and earlier files no longer load; train again)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import multiprocessing
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

FEATURES = 2**17  # the vocabulary cap (words and character pairs): ~14 k × 4 bytes per category
HELD_OUT_SHARE = 0.1
MIN_DEMANDS = 30  # fewer labelled demands than this: nothing worth measuring
TOP_K = 3
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 … 0.95: the precision curve
_PAIR = "\u00b7"  # marks a character pair, so that 路灯 the word and 路灯 the pair are different features
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def analyse(text: str) -> list[str]:
    """The features of a text: its jieba words (dictionary words only, without the filler of spoken
    requests) and every pair of adjacent characters."""
    from knowledge_base.segment import STOPWORDS, cut, normalise

    out = [w for w in cut(text, new_words=False) if w not in STOPWORDS]
    for run in _NOT_TEXT.split(normalise(text)):
        out.extend(_PAIR + run[i : i + 2] for i in range(len(run) - 1))
    return out


class Tokens:
    """The vectoriser's analyser. Training segments every text once, in parallel, and joins the features
    with spaces (`joined`); the stored model segments raw text itself."""

    def __init__(self, joined: bool = False):
        self.joined = joined

    def __call__(self, text: str) -> list[str]:
        return text.split(" ") if self.joined else analyse(text)


def _joined(text: str) -> str:
    return " ".join(w for w in analyse(text) if " " not in w)


def segment_all(texts: Sequence[str]) -> list[str]:
    """Every text's features, joined: in two processes when this one may start them (a command; not a
    Celery worker's child, which is a daemon)."""
    if len(texts) >= 20_000 and not multiprocessing.current_process().daemon:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            return pool.map(_joined, texts, chunksize=2000)
    return [_joined(t) for t in texts]


# --- the model -------------------------------------------------------------------------------------------


@dataclass
class Model:
    """A trained vectoriser and classifier, and the category codes they know."""

    vectoriser: object
    classifier: object

    @property
    def codes(self) -> np.ndarray:
        return self.classifier.classes_  # type: ignore[attr-defined]

    def probabilities(self, texts: Sequence[str], *, matrix=None) -> np.ndarray:
        if matrix is None:
            matrix = self.vectoriser.transform(texts)  # type: ignore[attr-defined]
        if matrix.shape[1] == 0:
            return np.full((len(texts), len(self.codes)), 1 / len(self.codes))
        return self.classifier.predict_proba(matrix)  # type: ignore[attr-defined]

    def vectors(self, texts: Sequence[str]):
        """The texts' TF-IDF vectors (L2-normalised: a dot product is their cosine similarity)."""
        return self.vectoriser.transform(texts)  # type: ignore[attr-defined]

    def dumps(self) -> bytes:
        import joblib

        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> Model:
        import joblib

        return joblib.load(io.BytesIO(data))


def fit(texts: Sequence[str], codes: Sequence[str], *, segmented: bool = False) -> Model:
    """Train on `texts` labelled with category `codes` (`segmented`: texts already joined by segment_all)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB

    joined = list(texts) if segmented else segment_all(texts)
    vectoriser = TfidfVectorizer(
        analyzer=Tokens(joined=True),
        min_df=2 if len(joined) >= 5000 else 1,
        max_features=FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )
    matrix = vectoriser.fit_transform(joined)
    classifier = ComplementNB(alpha=0.3)
    classifier.fit(matrix, list(codes))
    classifier.feature_log_prob_ = classifier.feature_log_prob_.astype(np.float32)
    # The counts are only needed to train further; the stored model keeps what predicts.
    classifier.feature_count_ = classifier.feature_all_ = None
    vectoriser.analyzer = Tokens(joined=False)
    vectoriser.stop_words_ = None  # the discarded vocabulary: megabytes that predict nothing
    return Model(vectoriser, classifier)


def ranked(probabilities: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """The indices of the k most probable classes of each row, best first."""
    k = min(k, probabilities.shape[1])
    part = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(probabilities, part, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(part, order, axis=1)


def evaluate(model: Model, texts: Sequence[str], codes: Sequence[str], *, names: dict[str, str]) -> dict:
    """What operators read about a model, measured on labelled texts it did not learn from: top-1 and top-3
    accuracy, the same per top-level category, the confusion between top-level categories and the most
    confused pairs of level-3 ones, and precision and coverage at each confidence threshold."""
    truth = np.asarray(codes)
    probabilities = model.probabilities(texts)
    top = ranked(probabilities)
    predicted = model.codes[top]
    confidence = np.take_along_axis(probabilities, top[:, :1], axis=1)[:, 0]
    hit1 = predicted[:, 0] == truth
    hit3 = (predicted == truth[:, None]).any(axis=1)
    n = len(truth)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(truth):
        groups[code[:2]].append(i)
    per_group = [
        {
            "code": group,
            "name": names.get(group, group),
            "n": len(rows),
            "top1": round(float(hit1[rows].mean()), 4),
            "top3": round(float(hit3[rows].mean()), 4),
        }
        for group, rows in sorted(groups.items())
    ]
    confusion: Counter = Counter()
    pairs: Counter = Counter()
    for actual, guess in zip(truth, predicted[:, 0], strict=True):
        confusion[(actual[:2], guess[:2])] += 1
        if actual != guess:
            pairs[(actual, guess)] += 1
    curve = []
    for threshold in THRESHOLDS:
        covered = confidence >= threshold
        m = int(covered.sum())
        curve.append(
            {
                "threshold": threshold,
                "covered": m,
                "coverage": round(m / n, 4) if n else 0.0,
                "precision": round(float(hit1[covered].mean()), 4) if m else None,
            }
        )
    return {
        "n": n,
        "top1": round(float(hit1.mean()), 4) if n else 0.0,
        "top3": round(float(hit3.mean()), 4) if n else 0.0,
        "per_group": per_group,
        "confusion": [[a, b, c] for (a, b), c in sorted(confusion.items())],
        "confused_pairs": [
            {"actual": a, "actual_name": names.get(a, a), "predicted": b, "predicted_name": names.get(b, b), "n": c}
            for (a, b), c in pairs.most_common(15)
        ],
        "curve": curve,
    }


def threshold_for(curve: list[dict], precision: float, *, min_covered: int = 20) -> float | None:
    """The lowest confidence threshold whose measured precision on the held-out slice reaches `precision`
    (over at least `min_covered` demands, so that one lucky demand sets nothing); None if none does."""
    for point in curve:
        if point["precision"] is not None and point["covered"] >= min_covered and point["precision"] >= precision:
            return point["threshold"]
    return None


# --- training from the database --------------------------------------------------------------------------


@dataclass
class Example:
    text: str
    code: str
    at: dt.datetime | None = None


def history(*, since: dt.date | None, until: dt.date | None) -> list[Example]:
    """The labelled demands of the window (received on `since` … `until`, Beijing days), oldest first: those
    whose category a person chose or confirmed. Titles of imported history count as words of the demand."""
    from django.utils import timezone

    from hotline.core.workdays import LOCAL_TZ

    from .models import Demand

    rows = Demand.objects.filter(category__isnull=False, category_auto=False, category__level=3)
    if since is not None:
        rows = rows.filter(received_at__gte=dt.datetime.combine(since, dt.time(), tzinfo=LOCAL_TZ))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
        rows = rows.filter(received_at__lt=end)
    out = []
    for title, content, code, at in (
        rows.order_by("received_at", "id").values_list("title", "content", "category__code", "received_at")
    ).iterator(chunk_size=20_000):
        text = f"{title} {content}".strip() if title else content
        if text.strip():
            out.append(Example(text, code, timezone.localtime(at)))
    return out


def knowledge_texts() -> list[Example]:
    """Each knowledge-base article's title, question variants and keywords, labelled with its category: how
    citizens ask about a matter, written down by the people who answer them."""
    from knowledge_base.models import Article

    out = []
    for title, questions, keywords, code in Article.objects.filter(
        category__isnull=False, category__level=3
    ).values_list("title", "questions", "keywords", "category__code"):
        for text in [title, *questions.splitlines(), keywords.replace(",", " ").replace("，", " ")]:
            if text.strip():
                out.append(Example(text.strip(), code))
    return out


@dataclass
class Training:
    """One run: the model and what was measured."""

    model: Model
    metrics: dict
    demands: int
    knowledge: int
    held_out: list[Example]
    seconds: float


def train(*, since: dt.date | None = None, until: dt.date | None = None) -> Training:
    """Train on the window's history plus the knowledge base, holding out its newest tenth."""
    from hotline.core.exceptions import InvalidInput
    from hotline.core.models import Category

    started = time.monotonic()
    demands = history(since=since, until=until)
    if len(demands) < MIN_DEMANDS:
        raise InvalidInput(
            f"Only {len(demands)} demands with a category confirmed by a person in this window; "
            f"at least {MIN_DEMANDS} are needed to train and measure a model.",
            code="too_little_history",
        )
    cut = len(demands) - max(1, int(len(demands) * HELD_OUT_SHARE))
    learn, held_out = demands[:cut], demands[cut:]
    knowledge = knowledge_texts()
    examples = learn + knowledge
    if len({e.code for e in examples}) < 2:
        raise InvalidInput(
            "The history names fewer than two categories: nothing to choose between.", code="one_category"
        )
    model = fit([e.text for e in examples], [e.code for e in examples])
    names = dict(Category.objects.values_list("code", "name"))
    metrics = evaluate(model, [e.text for e in held_out], [e.code for e in held_out], names=names)
    metrics["learned"] = len(learn)
    return Training(model, metrics, len(learn), len(knowledge), held_out, time.monotonic() - started)


def top1_on(model: Model, examples: Iterable[Example]) -> float:
    examples = list(examples)
    if not examples:
        return 0.0
    probabilities = model.probabilities([e.text for e in examples])
    best = model.codes[probabilities.argmax(axis=1)]
    return float((best == np.asarray([e.code for e in examples])).mean())


# --- the active model, in this process -------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[int, Model] = {}


def loaded(version) -> Model:
    """The model of a stored version (a ClassifierModel), read from storage once per process."""
    model = _cache.get(version.pk)
    if model is None:
        with _cache_lock:
            model = _cache.get(version.pk)
            if model is None:
                with version.file.open("rb") as handle:
                    model = Model.loads(handle.read())
                _cache.clear()  # one model in memory: the active one
                _cache[version.pk] = model
    return model


def warm() -> None:
    """Load jieba's dictionary and the active model before the first call needs them (worker start-up)."""
    from .models import ClassifierModel

    version = ClassifierModel.objects.filter(is_active=True).first()
    if version is not None:
        try:
            loaded(version).probabilities(["路灯不亮"])
        except Exception:  # a missing file: suggestions say so when asked
            logger.warning("The active classifier model %s could not be loaded", version.version, exc_info=True)
