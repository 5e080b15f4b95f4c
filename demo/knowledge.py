"""Synthetic, realistic knowledge-base articles for demos and benchmarks (`generateknowledge`):
deterministic for a seed, spread over the matter categories, districts, owning departments, aspects
of a policy (conditions, materials, channels, time limits…) and validity; written in bulk."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from hotline.core.choices import UnitLevel
from hotline.core.maintenance import analyze
from hotline.core.models import Category, Unit
from knowledge_base.models import Article, ArticleStatus
from knowledge_base.services import reindex

ASPECTS = [
    "办理条件",
    "办理流程",
    "所需材料",
    "办理时限",
    "收费标准",
    "咨询渠道",
    "常见问题",
    "政策依据",
    "线上办理",
    "注意事项",
    "适用范围",
    "补贴标准",
    "投诉渠道",
    "变更办理",
    "异地办理",
]
CHANNELS = [
    "北京通App",
    "京通小程序",
    "“北京12345”微信公众号",
    "首都之窗网站",
    "各区政务服务中心",
    "街道（乡镇）便民服务中心",
    "社区服务站",
    "北京市政务服务网",
]
MATERIALS = [
    "本人身份证原件",
    "户口簿",
    "居住证",
    "不动产权证书",
    "租房合同",
    "营业执照副本",
    "近期免冠照片",
    "医疗费用票据",
    "银行卡",
    "委托书及受托人身份证",
]
SERVICES = ["便民服务", "政务服务", "业务办理", "服务事项", "公共服务", "窗口服务"]
PERIODS = ["即时办结", "3个工作日", "5个工作日", "7个工作日", "10个工作日", "15个工作日", "20个工作日"]
QUESTION_FORMS = [
    "{t}怎么办理？",
    "{t}需要带什么材料",
    "{t}去哪里办",
    "请问{t}多久能办好",
    "{t}有什么条件",
    "{t}可以网上办吗",
    "{d}{t}在哪办理",
    "{t}收费吗",
]
SENTENCES = [
    "{owner}负责{topic}相关工作，市民可通过{channel}在线申请，也可到{place}现场办理。",
    "申请人需提供{m1}、{m2}等材料，材料齐全的，{period}内办结。",
    "符合条件的市民，经审核通过后纳入{topic}服务范围；不符合条件的，将书面告知原因。",
    "办理过程中如有疑问，可拨打12345市民服务热线咨询，或向{owner}反映。",
    "{district}范围内的{topic}事项，由{district}相关部门和属地街道（乡镇）共同落实。",
    "根据{doc}，{topic}{aspect}自{year}年起执行新标准，原有规定同时废止。",
    "对办理结果不满意的，可在收到结果之日起60日内申请行政复议，或在6个月内提起行政诉讼。",
    "特殊群体（老年人、残疾人等）可预约上门服务或由社区工作人员代办。",
]

# 处置类: a nuisance or a breach someone must stop (占道经营, 夜间施工, 噪声…) is not applied for with
# materials: its articles say who acts, how a report is handled, the rule and the time limit.
HANDLING_ASPECTS = ["处置流程", "责任单位", "投诉渠道", "处理时限", "法规依据", "常见问题", "证据提供", "回访说明"]
HANDLING_QUESTIONS = [
    "{t}归谁管？",
    "{t}怎么投诉",
    "{t}多久能处理",
    "{d}{t}找哪个部门",
    "反映{t}需要提供什么",
    "{t}处理结果怎么查",
]
HANDLING_SENTENCES = [
    "{topic}问题由{owner}统筹，属地街道（乡镇）负责现场处置，市民可拨打12345或通过{channel}反映。",
    "接到反映后，承办单位一般在{period}内到现场核实处置，并将结果答复反映人。",
    "反映时请说明具体地点（街道、门牌号或明显地标）、发生时间和持续情况，如有照片或视频可一并提供。",
    "根据{doc}，{topic}属于{parent}管理范围，违反规定的，由相关部门依法责令改正并予处罚。",
    "{district}范围内的{topic}问题，由{district}相关部门和属地街道（乡镇）共同落实，情节严重的可联合执法。",
    "对处理结果不满意的，可在回访时说明，热线将按规定督办或重新派单办理。",
    "夜间（22时至次日6时）和节假日的紧急情况，可直接拨打12345，由值班人员转相关单位处置。",
]
# The kinds of matter whose articles are about handling (the rest: services people apply for).
HANDLING_GROUPS = {"01", "03", "04", "05", "10", "11"}

# Who answers for a matter (知识的责任单位): the department of its field, by level-2 then level-1 code, and
# for public services the company that runs them (by words of the matter's name).
OWNER_BY_CATEGORY = {
    "01": "D01",
    "0104": "D10",
    "0105": "D22",
    "02": "D02",
    "03": "D03",
    "04": "D04",
    "05": "D05",
    "06": "D06",
    "07": "D07",
    "08": "D08",
    "09": "D29",
    "10": "D20",
    "11": "D21",
    "12": "D29",
}
OWNER_BY_WORD = [
    ("公积金", "D18"),
    ("医保", "D17"),
    ("燃气", "E03"),
    ("供暖", "E04"),
    ("暖气", "E04"),
    ("停电", "E02"),
    ("电", "E02"),
    ("水", "E01"),
    ("公交", "E05"),
    ("地铁", "E06"),
    ("信号", "D27"),
    ("网络", "D27"),
    ("宽带", "D27"),
]


def owner_of(leaf: Category, owners: dict[str, Unit]) -> Unit | None:
    """The unit an article about `leaf` belongs to: by a word of its name, else by its field."""
    for word, code in OWNER_BY_WORD:
        if word in leaf.name and code in owners:
            return owners[code]
    for code in (leaf.parent.code if leaf.parent else "", leaf.code[:2]):
        if OWNER_BY_CATEGORY.get(code) in owners:
            return owners[OWNER_BY_CATEGORY[code]]
    return None


def _pool():
    leaves = list(Category.objects.filter(level=3, is_active=True).select_related("parent__parent").order_by("code"))
    districts = list(Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code").values_list("name", flat=True))
    owners = {u.code: u for u in Unit.objects.filter(level__in=[UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE])}
    return leaves, districts, owners


def build(rng: random.Random, n: int, leaves, districts, owners, today: dt.date) -> Article:
    leaf = rng.choice(leaves)
    district = rng.choice(districts)
    owner = owner_of(leaf, owners) or rng.choice(sorted(owners.values(), key=lambda u: u.code))
    handling = leaf.code[:2] in HANDLING_GROUPS
    aspect = rng.choice(HANDLING_ASPECTS if handling else ASPECTS)
    topic = leaf.name
    local = rng.random() < 0.4
    # Real titles vary: the matter, its parent field, or the owning department's service.
    subject = rng.choice([topic, topic, leaf.parent.name, f"{owner.name}{rng.choice(SERVICES)}"])
    title = f"{district if local else '本市'}{subject}{aspect}（第{n}号）"
    questions = "\n".join(rng.sample(HANDLING_QUESTIONS if handling else QUESTION_FORMS, 3)).format(
        t=rng.choice([topic, subject]), d=district
    )
    doc = f"《关于进一步做好{leaf.parent.name}{topic}工作的通知》"
    year = rng.randint(2019, 2026)
    context = {
        "owner": owner.name,
        "topic": topic,
        "parent": leaf.parent.name,
        "channel": rng.choice(CHANNELS),
        "place": rng.choice(CHANNELS[4:7]),
        "m1": rng.choice(MATERIALS),
        "m2": rng.choice(MATERIALS),
        "period": rng.choice(PERIODS[1:5]) if handling else rng.choice(PERIODS),
        "district": district,
        "doc": doc,
        "aspect": aspect,
        "year": year,
    }
    pool = HANDLING_SENTENCES if handling else SENTENCES
    body = "".join(s.format(**context) for s in rng.sample(pool, rng.randint(3, 5)))
    roll = rng.random()
    status = (
        ArticleStatus.PUBLISHED if roll < 0.9 else (ArticleStatus.DRAFT if roll < 0.95 else ArticleStatus.WITHDRAWN)
    )
    valid_until = today + dt.timedelta(days=rng.randint(30, 1500)) if rng.random() < 0.6 else None
    return Article(
        title=title,
        questions=questions,
        body=body,
        category=leaf,
        owner=owner,
        source_title=doc,
        source_number=f"京{owner.name[1:3] if owner.name.startswith('市') else owner.name[:2]}发〔{year}〕{rng.randint(1, 99)}号",
        keywords=f"{topic} {aspect} {leaf.parent.name}",
        valid_from=dt.date(year, 1, 1),
        valid_until=valid_until,
        status=status,
        answered_count=int(rng.paretovariate(1.5)) - 1,
    )


def generate_articles(*, count: int, seed: int = 1, batch: int = 2000, progress=None) -> int:
    """Create `count` articles; returns how many were made. `progress(done, total)` is called per batch."""
    rng = random.Random(seed)
    leaves, districts, owners = _pool()
    today = timezone.localdate()
    start = Article.objects.count() + 1
    made = 0
    while made < count:
        size = min(batch, count - made)
        articles = [build(rng, start + made + i, leaves, districts, owners, today) for i in range(size)]
        with transaction.atomic():
            created = Article.objects.bulk_create(articles)
            reindex(created)
        made += size
        if progress:
            progress(made, count)
    if made:
        analyze(Article)  # search plans know the new articles before the command reports done
    return made
