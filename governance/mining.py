"""主动治理's mining: from the demands of a window, the problems to govern rather than answer one by one
(举一反三), each proposed as a Topic with its evidence — the demands, a daily trend, the rule that fired —
and a heat that orders the queue.

- **Text clusters** (同一地点同一问题): within a street, demands whose text names the same place (a
  小区, 路, 市场 … found in the address or the text) and shares enough of its words (jieba) are one
  problem; the place only in the text is enough, the category is not needed. Demands that name no place
  cluster by street and category, with a stricter similarity. Titled "place + its commonest words".
- **Surges** (激增): a street × category with ≥ N demands in the window and ≥ R × the same window a
  year earlier — only when the database holds that year (else the rule says it was skipped).
- **Repeats**: one address with ≥ K demands in 90 days; one caller (by the phone's blind index) ≥ M.
- **Seasonal**: categories whose next month, last year, was well above their monthly average (heating
  in November, flooding in July), proposed a month ahead.

A proposal's `key` says what it is about; a rerun refreshes the proposal, and one already approved or
dismissed is left alone. Numbers are settings (HOTLINE_MINE_*)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from hotline.core.bulk import update_rows
from hotline.core.models import Category, Unit
from intake.models import Demand
from intake.selectors import bigrams, dice, mask_phone
from knowledge_base.segment import cut, idf

from .models import DemandTerms, Topic, TopicDemand, TopicEvent

WINDOW_DAYS = 30
REPEAT_DAYS = 90
MAX_LINKED = 500  # demands linked to one proposal as its evidence (its counts are complete)

# A place in a Chinese address or text: a name and the word that makes it a place.
PLACE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{1,12}?"
    r"(?:小区|花园|家园|公寓|大厦|社区|新村|北里|南里|东里|西里|号院|胡同|大街|广场|市场|医院|中学|小学|幼儿园|学校|公园|"
    r"村|苑|路|街(?!道)))"
)
PLACE_LEAD = re.compile(r"^(?:我们|我家|家住|住在|居住在|位于|本人|投诉|反映|举报|咨询|在|的|我|住|是|到|去|这|那)+")
PLACE_BREAK = re.compile(r"的|街道|地区|附近|旁边|门口|对面|北口|南口|东口|西口")
NOT_PLACES = frozenset("家里 这里 那里 哪里 村里 城里 心里 屋里 夜里 街道 小区 社区 公园 医院 学校 市场 马路".split())
STOP = frozenset(
    "我 你 他 她 它 我们 你们 他们 您 的 了 吗 呢 吧 啊 呀 和 与 及 或 是 在 有 要 想 能 会 可以 可 怎么 怎么办 "
    "如何 什么 哪里 请问 请 一下 需要 多少 几 个 这 那 还 就 都 也 又 给 让 被 把 对 为 为什么 不 没 没有 现在 已经 "
    "特别 非常 很 太 好 大 小 多 说 问题 反映 希望 尽快 处理 解决 相关 部门 市民 来电 诉求 情况 一直 每天 经常 "
    "晚上 白天 早上 今天 昨天 最近 时候 以后 之后 号 楼 单元 门口 附近 门 栋 号楼 我住 家住 投诉 举报 咨询 "
    "这边 那边 这个 那个 那家 这家 开始 旁边 门外 东侧 西侧 南侧 北侧 对面 后面 前面 根本 很大 太大 严重 影响 "
    "受不了 管管 没法 不敢 直接 天天 总是 还是 一下 有人 麻烦 谢谢".split()
)


SIMILAR = 0.25  # character-pair likeness (Dice) at one place that makes a differently worded demand the same


def _settings(name: str, default):
    return getattr(settings, f"HOTLINE_MINE_{name}", default)


@dataclass
class Proposal:
    key: str
    kind: str
    title: str
    demand_ids: list[int]
    keywords: list[str] = field(default_factory=list)
    rule: dict = field(default_factory=dict)
    street_id: int | None = None
    district_id: int | None = None
    category_id: int | None = None
    count: int = 0  # demands behind it (may exceed the linked ones)
    before: int | None = None  # the comparison period's demands, when the rule has one


@dataclass
class MiningResult:
    proposed: int = 0  # new proposals
    refreshed: int = 0  # proposals of an earlier run, brought up to date
    left: int = 0  # found again but already decided (approved, dismissed …)
    skipped: list[str] = field(default_factory=list)  # rules that could not run, and why
    by_kind: Counter = field(default_factory=Counter)


# --- text ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _admin_names() -> re.Pattern:
    """The city's, districts' and streets' names, that an address starts with before the place itself."""
    names = set(Unit.objects.filter(level__in=["district", "street"]).values_list("name", flat=True))
    names |= {"北京市", "北京"}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    return re.compile(f"^(?:{alternatives})+")


def place_of(*texts: str) -> str:
    """The first place a text names (阳光小区, 南池子大街, 朝阳门南小街), without the words before it (我住…,
    北京市东城区…)."""
    for text in texts:
        for match in PLACE.finditer(text or ""):
            # The place is what follows the last "的", "街道", "附近" … inside the match (菊儿胡同, not
            # 交道口街道南锣鼓巷北口的菊儿胡同).
            place = PLACE_BREAK.split(match.group(1))[-1]
            place = _admin_names().sub("", PLACE_LEAD.sub("", place))
            if len(place) >= 3 and place not in NOT_PLACES and not place.isdigit():
                return place
    return ""


@lru_cache(maxsize=100_000)
def _place_words(place: str) -> frozenset[str]:
    return frozenset(cut(place, new_words=False))


def words_of(text: str, place: str) -> list[str]:
    """The words that say what the problem is: jieba's (its dictionary's words only: guessing unknown
    words costs a third of the time, and a misspelt word is joined by its characters anyway), without the
    place, fillers, numbers and single characters."""
    place_words = _place_words(place) if place else frozenset()
    return [
        w
        for w in cut(text, new_words=False)
        if len(w) >= 2
        and w not in STOP
        and w not in place_words
        and not w.isdigit()
        and not re.fullmatch(r"[\da-z]+", w)
    ]


@dataclass
class _Member:
    pk: int
    received_at: dt.datetime
    phone: str
    category_id: int | None
    text: str
    words: list[str]

    @cached_property
    def pairs(self) -> set[str]:
        """Its character pairs, for the likeness of rephrased texts (only asked of some members)."""
        return bigrams(self.text)


def _ranked(df: Counter) -> list[str]:
    """The distinct words of a cluster, most shared first (rare words first among equals)."""
    return sorted(df, key=lambda w: (-df[w], -idf(w), w))


def _frequent_term_clusters(members: list[_Member], minimum: int) -> list[tuple[list[_Member], Counter]]:
    """Frequent-term clustering (the problem is the word most of a place's demands share): take the word
    found in the most demands of the bucket (the rarer in general Chinese among equals); the demands that
    say it (as a word, or inside a longer one: 油烟 in 烟熏 is not, 油烟 in "的油烟熏得" is) are a cluster;
    repeat on the rest while enough are left. Then each demand left over joins the cluster whose first
    texts it is closest to, by character pairs, if close enough (typos, other phrasings)."""
    left = list(members)
    found: list[list[_Member]] = []
    while len(left) >= minimum:
        df = Counter(w for m in left for w in set(m.words))
        if not df:
            break
        term, n = max(df.items(), key=lambda item: (item[1], idf(item[0]), item[0]))  # ties: the same each run
        if n < max(2, minimum // 2):
            break
        inside = [m for m in left if term in m.words or term in m.text]
        taken = {m.pk for m in inside}
        left = [m for m in left if m.pk not in taken]
        found.append(inside)
    seeds = [[m.pairs for m in cluster[:5]] for cluster in found]
    for member in left:
        likeness, best = max(
            ((max(dice(member.pairs, seed) for seed in cluster_seeds), i) for i, cluster_seeds in enumerate(seeds)),
            default=(0.0, -1),
        )
        if likeness >= SIMILAR:
            found[best].append(member)
    return [
        (cluster, Counter(w for m in cluster for w in set(m.words))) for cluster in found if len(cluster) >= minimum
    ]


TERMS_BATCH = 5000


def terms_read(start: dt.datetime, end: dt.datetime) -> int:
    """Read (place and words) the window's demands not read yet, and keep what was read (DemandTerms);
    the number read. Most nights this is only the day's new demands."""
    unread = (
        Demand.objects.filter(received_at__gte=start, received_at__lt=end, mining_terms__isnull=True)
        .values_list("id", "title", "content", "address")
        .order_by()
    )
    batch, done = [], 0
    for pk, title, content, address in unread.iterator(chunk_size=TERMS_BATCH):
        text = f"{title} {content}" if title else content
        place = place_of(address, text)
        batch.append(DemandTerms(demand_id=pk, place=place[:100], words=" ".join(words_of(text, place))))
        if len(batch) >= TERMS_BATCH:
            DemandTerms.objects.bulk_create(batch, ignore_conflicts=True)
            done, batch = done + len(batch), []
    DemandTerms.objects.bulk_create(batch, ignore_conflicts=True)
    return done + len(batch)


def text_clusters(start: dt.datetime, end: dt.datetime) -> list[Proposal]:
    """同一地点同一问题, street by street (see the module docstring)."""
    minimum = _settings("CLUSTER_MIN", 5)
    terms_read(start, end)
    streets = {u.pk: u for u in Unit.objects.filter(level="street")}
    rows = (
        Demand.objects.filter(received_at__gte=start, received_at__lt=end)
        .values_list(
            "id",
            "street_id",
            "category_id",
            "title",
            "content",
            "caller_phone_index",
            "received_at",
            "mining_terms__place",
            "mining_terms__words",
        )
        .order_by("street_id", "received_at", "id")
    )
    proposals: list[Proposal] = []
    current, group = None, []
    for row in rows.iterator(chunk_size=5000):
        if row[1] != current and group:
            proposals += _cluster_street(group, streets.get(current), minimum)
            group = []
        current = row[1]
        group.append(row)
    if group:
        proposals += _cluster_street(group, streets.get(current), minimum)
    return proposals


def _cluster_street(rows: list[tuple], street: Unit | None, minimum: int) -> list[Proposal]:
    """One street's demands (or those of no street: then only by a place their text names)."""
    if len(rows) < minimum:
        return []
    buckets: dict[tuple, list[_Member]] = defaultdict(list)
    for pk, _street, category_id, title, content, phone, received_at, place, joined in rows:
        place = place or ""
        if not place and street is None:
            continue
        words = joined.split() if joined else []
        if words:
            text = f"{title} {content}" if title else content
            # A named place groups whatever the category; without one, the street's category does.
            buckets[(place, None) if place else ("", category_id)].append(
                _Member(pk, received_at, phone, category_id, text, words)
            )
    proposals = []
    for (place, category_id), members in buckets.items():
        for cluster, df in _frequent_term_clusters(members, minimum):
            ranked = _ranked(df)
            common = ranked[:3]
            order = {w: i for i, w in enumerate(cluster[0].words)}
            common.sort(key=lambda w: order.get(w, 99))
            where = place or (street.name if street else "")
            categories = Counter(m.category_id for m in cluster if m.category_id)
            proposals.append(
                Proposal(
                    key=f"cluster:{street.code if street else '-'}:{place or category_id}:{ranked[0]}"[:200],
                    kind=Topic.Kind.CLUSTER,
                    title=f"{where} {''.join(common)}".strip()[:200],
                    demand_ids=[m.pk for m in cluster],
                    keywords=ranked[:6],
                    rule={
                        "rule": "cluster",
                        "place": place,
                        "term": ranked[0],
                        "minimum": minimum,
                        "grouped_by": "place in the text or address" if place else "street and category",
                    },
                    street_id=street.pk if street else None,
                    district_id=street.parent_id if street else None,
                    category_id=categories.most_common(1)[0][0] if categories else None,
                    count=len(cluster),
                )
            )
    return proposals


# --- counts -------------------------------------------------------------------------------------------------


def surges(start: dt.datetime, end: dt.datetime, result: MiningResult) -> list[Proposal]:
    """激增: ≥ N in the window and ≥ R × the same window of the year before."""
    minimum, ratio = _settings("SURGE_MIN", 10), _settings("SURGE_RATIO", 2)
    year_start, year_end = start - dt.timedelta(days=365), end - dt.timedelta(days=365)
    if not Demand.objects.filter(received_at__lt=year_end).exists():
        result.skipped.append("surge: no demands a year before the window to compare with")
        return []
    window = Q(received_at__gte=start, received_at__lt=end, street__isnull=False, category__isnull=False)
    current = {
        (s, c): n
        for s, c, n in Demand.objects.filter(window)
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=minimum)
        .order_by()
    }
    if not current:
        return []
    before = {
        (s, c): n
        for s, c, n in Demand.objects.filter(
            received_at__gte=year_start, received_at__lt=year_end, street_id__in={s for s, _c in current}
        )
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    streets = Unit.objects.in_bulk({s for s, _c in current})
    categories = Category.objects.in_bulk({c for _s, c in current})
    proposals = []
    for (street_id, category_id), n in current.items():
        earlier = before.get((street_id, category_id), 0)
        if n < ratio * earlier:
            continue
        street, category = streets[street_id], categories[category_id]
        ids = list(
            Demand.objects.filter(window, street_id=street_id, category_id=category_id)
            .order_by("-received_at")
            .values_list("id", flat=True)[:MAX_LINKED]
        )
        proposals.append(
            Proposal(
                key=f"surge:{street.code}:{category.code}:{timezone.localtime(end):%Y-%m}",
                kind=Topic.Kind.SURGE,
                title=f"{street.name} {category.name}激增",
                demand_ids=ids,
                keywords=[category.name],
                rule={"rule": "surge", "minimum": minimum, "ratio": ratio, "count": n, "year_before": earlier},
                street_id=street_id,
                district_id=street.parent_id,
                category_id=category_id,
                count=n,
                before=earlier,
            )
        )
    return proposals


def _normal_address(address: str) -> str:
    return re.sub(r"[\s\W_]+", "", address or "")


def repeats(end: dt.datetime) -> list[Proposal]:
    """重复地点 and 重复来电 over the REPEAT_DAYS before `end`."""
    places, calls = _settings("REPEAT_PLACE_MIN", 5), _settings("REPEAT_CALLER_MIN", 5)
    start = end - dt.timedelta(days=REPEAT_DAYS)
    window = Demand.objects.filter(received_at__gte=start, received_at__lt=end)
    proposals = []
    # One address of one street (the same words in two districts are two places).
    by_address: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, address, street_id, district_id, category_id in (
        window.exclude(address="")
        .values_list("id", "address", "street_id", "district_id", "category_id")
        .order_by("received_at", "id")
        .iterator(chunk_size=5000)
    ):
        by_address[(street_id, _normal_address(address))].append((pk, address, street_id, district_id, category_id))
    for (street_id, normal), rows in by_address.items():
        if len(rows) < places or not normal:
            continue
        categories = Counter(r[4] for r in rows if r[4])
        address = Counter(r[1].strip() for r in rows).most_common(1)[0][0]
        proposals.append(
            Proposal(
                key=f"place:{street_id or '-'}:{normal}"[:200],
                kind=Topic.Kind.REPEAT_PLACE,
                title=f"{address[:60]} 反复反映",
                demand_ids=[r[0] for r in rows][-MAX_LINKED:],
                rule={
                    "rule": "repeat_place",
                    "minimum": places,
                    "days": REPEAT_DAYS,
                    "count": len(rows),
                    "address": address,
                },
                street_id=rows[-1][2],
                district_id=rows[-1][3],
                category_id=categories.most_common(1)[0][0] if categories else None,
                count=len(rows),
            )
        )
    frequent = (
        window.exclude(caller_phone_index="")
        .values("caller_phone_index")
        .annotate(n=Count("id"))
        .filter(n__gte=calls)
        .values_list("caller_phone_index", "n")
    )
    for index, n in frequent:
        demands = list(window.filter(caller_phone_index=index).order_by("received_at")[:MAX_LINKED])
        last = demands[-1]
        categories = Counter(d.category_id for d in demands if d.category_id)
        proposals.append(
            Proposal(
                key=f"caller:{index}",
                kind=Topic.Kind.REPEAT_CALLER,
                title=f"重复来电 {mask_phone(last.caller_phone)}（{n} 次）",
                demand_ids=[d.pk for d in demands],
                rule={"rule": "repeat_caller", "minimum": calls, "days": REPEAT_DAYS, "count": n},
                street_id=last.street_id,
                district_id=last.district_id,
                category_id=categories.most_common(1)[0][0] if categories else None,
                count=n,
            )
        )
    return proposals


def seasonal(at: dt.datetime, result: MiningResult) -> list[Proposal]:
    """季节性: the categories of next month last year that ran well above their month average."""
    minimum, ratio = _settings("SEASONAL_MIN", 10), _settings("SEASONAL_RATIO", 1.5)
    local = timezone.localtime(at)
    month = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # next month
    last_year = month.replace(year=month.year - 1)
    month_end = (last_year + dt.timedelta(days=32)).replace(day=1)
    year_start = last_year.replace(year=last_year.year - 1) + dt.timedelta(days=0)
    if not Demand.objects.filter(received_at__lt=month_end, received_at__gte=last_year).exists():
        result.skipped.append(f"seasonal: no demands in {last_year:%Y-%m} to learn the season from")
        return []
    in_month = dict(
        Demand.objects.filter(received_at__gte=last_year, received_at__lt=month_end, category__isnull=False)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=minimum)
        .order_by()
    )
    if not in_month:
        return []
    year = dict(
        Demand.objects.filter(received_at__gte=year_start, received_at__lt=month_end, category_id__in=in_month)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    categories = Category.objects.in_bulk(in_month)
    proposals = []
    for category_id, n in sorted(in_month.items(), key=lambda item: -item[1]):
        average = year.get(category_id, 0) / 13  # the thirteen months up to and with that month
        if n < ratio * average:
            continue
        category = categories[category_id]
        ids = list(
            Demand.objects.filter(received_at__gte=last_year, received_at__lt=month_end, category_id=category_id)
            .order_by("-received_at")
            .values_list("id", flat=True)[:MAX_LINKED]
        )
        proposals.append(
            Proposal(
                key=f"seasonal:{category.code}:{month:%Y-%m}",
                kind=Topic.Kind.SEASONAL,
                title=f"{month.month}月季节性问题：{category.name}",
                demand_ids=ids,
                keywords=[category.name],
                rule={
                    "rule": "seasonal",
                    "month": f"{month:%Y-%m}",
                    "last_year": n,
                    "month_average": round(average, 1),
                    "ratio": ratio,
                },
                category_id=category_id,
                count=n,
            )
        )
        if len(proposals) >= 5:
            break
    return proposals


# --- heat and saving ----------------------------------------------------------------------------------------


def heat_of(*, count: int, callers: int, recent_share: float, growth: float, sensitive: bool) -> float:
    """The queue's order: volume and distinct callers (logarithmic: a hundred is not ten times ten),
    concentration in the last week, growth against the comparison period (capped), sensitive categories."""
    return round(
        10 * math.log1p(count)
        + 6 * math.log1p(callers)
        + 10 * recent_share
        + 4 * min(growth, 5.0)
        + (8 if sensitive else 0),
        1,
    )


SAVE_BATCH = 500  # proposals written per transaction
REFRESHED_FIELDS = [
    "kind",
    "title",
    "keywords",
    "heat",
    "demand_count",
    "caller_count",
    "first_at",
    "last_at",
    "street_id",
    "district_id",
    "category_id",
    "rule",
    "trend",
    "mined_at",
]


def _fields(proposal: Proposal, facts: list[tuple], at: dt.datetime, window_start: dt.datetime, sensitive) -> dict:
    """A proposal's columns from its demands' (received_at, phone index)."""
    times = sorted(t for t, _p in facts)
    callers = len({p for _t, p in facts if p}) or 1
    recent = sum(1 for t in times if t >= at - dt.timedelta(days=7)) / len(times)
    growth = proposal.count / proposal.before if proposal.before else 1.0
    days = Counter(timezone.localtime(t).date().isoformat() for t in times)
    return {
        "kind": proposal.kind,
        "title": proposal.title,
        "keywords": proposal.keywords,
        "heat": heat_of(
            count=proposal.count,
            callers=callers,
            recent_share=recent,
            growth=growth,
            sensitive=proposal.category_id in sensitive,
        ),
        "demand_count": proposal.count,
        "caller_count": callers,
        "first_at": times[0],
        "last_at": times[-1],
        "street_id": proposal.street_id,
        "district_id": proposal.district_id,
        "category_id": proposal.category_id,
        "rule": {**proposal.rule, "window_start": window_start.isoformat(), "mined_at": at.isoformat()},
        "trend": sorted(days.items()),
        "mined_at": at,
    }


def _update(topics: list[Topic]) -> None:
    """One statement for a batch of refreshed proposals, only while still a proposal: one approved or
    dismissed during the run keeps its decision."""
    update_rows(topics, list(REFRESHED_FIELDS), only_where="t.status = 'proposed'", page_size=SAVE_BATCH)


def _save(proposals: list[Proposal], at: dt.datetime, window_start: dt.datetime, sensitive, result: MiningResult):
    """Write a batch of proposals in one transaction and a handful of statements: new ones created with
    their `proposed` event, those of an earlier run refreshed (their links replaced), decided ones left."""
    unique = {p.key: p for p in proposals}  # a key found twice in one run: the later finding stands
    existing = {t.key: t for t in Topic.objects.filter(key__in=unique).only("id", "key", "status")}
    wanted = [p for key, p in unique.items() if key not in existing or existing[key].status == Topic.Status.PROPOSED]
    result.left += len(unique) - len(wanted)
    ids = {pk for p in wanted for pk in p.demand_ids[:MAX_LINKED]}
    facts = {
        pk: (t, phone)
        for pk, t, phone in Demand.objects.filter(pk__in=ids).values_list("id", "received_at", "caller_phone_index")
    }
    fresh, refreshed, links = [], [], []
    for proposal in wanted:
        known = [facts[pk] for pk in proposal.demand_ids[:MAX_LINKED] if pk in facts]
        if not known:
            continue
        fields = _fields(proposal, known, at, window_start, sensitive)
        topic = existing.get(proposal.key)
        if topic is None:
            fresh.append(Topic(key=proposal.key, created_at=at, **fields))
        else:
            for name, value in fields.items():
                setattr(topic, name, value)
            refreshed.append(topic)
        result.by_kind[proposal.kind] += 1
    with transaction.atomic():
        Topic.objects.bulk_create(fresh)
        linked: dict[int, set[int]] = defaultdict(set)  # a refreshed proposal's links as they stand
        if refreshed:
            _update(refreshed)
            for topic_id, demand_id in TopicDemand.objects.filter(topic__in=refreshed).values_list(
                "topic_id", "demand_id"
            ):
                linked[topic_id].add(demand_id)
        TopicEvent.objects.bulk_create(
            [TopicEvent(topic=t, kind="proposed", to_status=t.status, at=at, data=unique[t.key].rule) for t in fresh]
        )
        stale = Q()
        for topic in [*fresh, *refreshed]:
            wanted_ids = {pk for pk in unique[topic.key].demand_ids[:MAX_LINKED] if pk in facts}
            links += [TopicDemand(topic=topic, demand_id=pk) for pk in wanted_ids - linked[topic.pk]]
            if gone := linked[topic.pk] - wanted_ids:  # only what changed is written: most nights, little
                stale |= Q(topic_id=topic.pk, demand_id__in=gone)
        if stale:
            TopicDemand.objects.filter(stale).delete()
        TopicDemand.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    result.proposed += len(fresh)
    result.refreshed += len(refreshed)


def topics_mine(*, at: dt.datetime | None = None, days: int = WINDOW_DAYS) -> MiningResult:
    """One run of the mining as of `at` over the `days` before it (the nightly job; `minetopics`)."""
    at = at or timezone.now()
    start = at - dt.timedelta(days=days)
    result = MiningResult()
    sensitive = {c.pk for c in Category.objects.filter(media_sensitive=True)}
    proposals = [*text_clusters(start, at), *surges(start, at, result), *repeats(at), *seasonal(at, result)]
    for first in range(0, len(proposals), SAVE_BATCH):
        _save(proposals[first : first + SAVE_BATCH], at, start, sensitive, result)
    return result
