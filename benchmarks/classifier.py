"""Benchmark: smart dispatch (智能派单, issue 21) — training time on a million demands, the accuracy of the
model on its held-out slice and on phrasings the generator never produces, and the time of a suggestion in
process and through the API (p50 / p95).

    .venv/bin/python benchmarks/classifier.py --rows 1000000 --db hotline_classifier

It creates the database if missing (migrated, reference data, the dispatch catalogue and the demo's
knowledge base loaded) and writes `--rows` demands of imported history with categories, spread over the
year before today: each text is the generator's (demo/phrases.py: several phrasings per category, openers,
places, synonyms, a second matter now and then, vague calls, dropped characters) and 4 % carry a
neighbouring category, as a hurried agent records them. Then it runs `trainclassifier` as a subprocess
(timed, with its peak memory), measures the active model on HANDWRITTEN (texts written for this benchmark,
not by the generator), and times `--requests` suggestions in process (dispatch.selectors.
category_suggestions: segmentation, vectorising, the classifier, the catalogue's unit) and through
`POST /api/v1/intake/classify/` (Django's test client: middleware, token auth, the view; no network).
The history stays in the database: a rerun trains and measures again without writing it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import MANAGE, own_database, percentile  # noqa: E402

# Texts no generator wrote, each with the category an agent would choose: how the model does on words it
# has not seen in these combinations.
HANDWRITTEN = [
    ("010101", "菜市场门口那帮卖水果的把路都占了，老人走路得绕到机动车道上"),
    ("010301", "我们胡同那几盏灯坏了快一个月了，晚上回家黑灯瞎火的"),
    ("010302", "人行道上有个下水井的盖子裂成两半了，晚上看不见容易踩空"),
    ("010303", "路上有好几个大坑，下雨天积了水看不出来，电动车过去差点翻了"),
    ("010501", "隔壁盖楼的工地从早上七点就开始砸，电钻声音太大了"),
    ("010503", "工地晚上十二点了还在干活，搅拌机一直响"),
    ("020101", "暖气片摸着是凉的，屋里只有十五度，物业说他们没办法"),
    ("020102", "我们单元的电梯这周坏了三次，有一次还把邻居关里头了"),
    ("020104", "物业今年突然把物业费涨了三成，也没开业主大会"),
    ("020302", "楼下那套房子隔了七八个小间，住了二十多个人"),
    ("030104", "这条线的公交车要等四十分钟，早上上班根本赶不上"),
    ("030301", "出租车司机一听去的地方近就说不去，还让我下车"),
    ("030403", "地铁站门口的共享单车横七竖八的，盲道都被堵了"),
    ("040102", "一楼饭店的排烟管子正对着我家卧室，天天一股油味"),
    ("040201", "小区后面那条河水是黑的，夏天臭得不能开窗"),
    ("050101", "办的游泳卡还剩两千多，店突然关门了，老板电话也打不通"),
    ("050202", "在楼下超市买的酸奶回家一看已经过期三天了"),
    ("060201", "干了半年装修活，包工头到现在一分钱没给"),
    ("060103", "在外地住院花的钱回北京报不了，说是没有备案"),
    ("070101", "儿童医院的号从来抢不到，一放号就没了"),
    ("080101", "家门口的公办园报不上名，说是名额满了"),
    ("090101", "早上起来一点水都没有，物业也不知道什么时候来水"),
    ("090201", "我们这一片晚上七点突然全黑了，到现在还没来电"),
    ("090301", "一进楼门就闻到很重的煤气味，怕出事"),
    ("090401", "热力公司管的楼，整个小区暖气都不热，打电话没人理"),
    ("090502", "家里的网三天没信号了，报修了也没人上门"),
    ("110101", "小区的消防通道被几辆车长期堵着，消防车根本进不来"),
    ("110102", "楼上那家从窗户吊根线下来给电瓶车充电"),
    ("110202", "邻居家的大狗天天不拴绳在院里跑，把孩子吓坏了"),
    ("120103", "想用公积金付房租，不知道要准备哪些材料"),
]


def write_history(rows: int, *, end: dt.datetime, seed: int = 2026) -> None:
    """Imported history with categories, COPYed in chunks of 100,000 rows, spread evenly over the year
    before `end` (the caller's phone is one encrypted number: it plays no part here)."""
    import csv
    import io

    from django.db import connection

    from demo.phrases import demand_text, recorded_code
    from hotline.core import pii
    from hotline.core.models import Category, Unit

    rng = random.Random(seed)
    categories = {c.code: c.pk for c in Category.objects.filter(level=3, is_active=True)}
    codes = sorted(categories)
    streets = list(Unit.objects.filter(level="street").values_list("pk", "parent_id", "name"))
    phone, index = pii.encrypt("13800000000"), pii.blind_index("13800000000")
    step = dt.timedelta(days=365) / rows
    start = end - dt.timedelta(days=365)
    columns = (
        "number, channel, demand_type, content, caller_name, caller_phone, caller_phone_index, confidential, "
        "address, urgency, received_at, disposition, category_id, street_id, district_id, media_url, "
        "refusal_reason, co_complainants, problem_since_source, import_key, title, category_auto"
    )
    started = time.monotonic()
    for chunk in range(0, rows, 100_000):
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)  # a quoted "" is an empty text, not NULL
        for i in range(chunk, min(rows, chunk + 100_000)):
            code = rng.choice(codes)
            street_id, district_id, street_name = rng.choice(streets)
            writer.writerow(
                [
                    f"B{i:012d}", "phone", "complaint", demand_text(rng, code, street_name), "", phone, index, "f",
                    "", "normal", (start + step * i).isoformat(), "imported",
                    categories[recorded_code(rng, code, codes)], street_id, district_id, "", "", 0, "",
                    f"bench:{i}", "", "f",
                ]
            )  # fmt: skip
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY intake_demand ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    connection.commit() if not connection.get_autocommit() else None
    print(f"wrote {rows:,} demands of history in {time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="hotline_classifier")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    env = own_database(args.db, ALLOWED_HOSTS="testserver,localhost")
    from demo.articles import articles_seed
    from dispatch.seed import catalogue_seed
    from hotline.core.models import Unit, User
    from intake.models import ClassifierModel, Demand

    if not ClassifierModel.objects.exists() and not Demand.objects.exists():
        catalogue_seed()
        articles_seed(generated=0)
    have = Demand.objects.filter(disposition="imported").count()
    if have < args.rows:
        if have:
            sys.exit(f"{args.db} holds {have:,} demands of history, fewer than --rows: dropdb it and run again.")
        write_history(args.rows, end=dt.datetime.now(dt.UTC))

    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *MANAGE, "trainclassifier"], env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    peak = int(result.stderr.strip().splitlines()[-1]) / 1024
    print(flush=True)
    print(f"trainclassifier: {seconds:.0f} s as a process, peak {peak:.0f} MB — {result.stdout.strip()}")

    from intake import classifier
    from intake.selectors import active_version

    version = ClassifierModel.objects.order_by("-version").first()
    size = version.file.size / 1e6 if version.file else 0
    print(f"model v{version.version}: file {size:.1f} MB; held-out top-1 {version.top1:.4f}, top-3 {version.top3:.4f}")
    model = classifier.loaded(active_version())
    probabilities = model.probabilities([text for _code, text in HANDWRITTEN])
    top = classifier.ranked(probabilities)
    truth = [code for code, _text in HANDWRITTEN]
    hit1 = sum(model.codes[row[0]] == code for row, code in zip(top, truth, strict=True))
    hit3 = sum(code in set(model.codes[row]) for row, code in zip(top, truth, strict=True))
    n = len(HANDWRITTEN)
    print(f"handwritten phrasings ({n}): top-1 {hit1 / n:.3f}, top-3 {hit3 / n:.3f}")

    from dispatch.selectors import category_suggestions

    street = Unit.objects.get(code="110101001")
    rng = random.Random(1)
    texts = [
        t.content for t in Demand.objects.filter(import_key__startswith="bench:").order_by("-id")[: args.requests * 2]
    ]
    rng.shuffle(texts)
    texts = texts[: args.requests]
    category_suggestions(texts[0], street=street)  # the first call loads jieba and the model
    times = []
    for text in texts:
        at = time.perf_counter()
        category_suggestions(text, street=street)
        times.append((time.perf_counter() - at) * 1000)
    print(
        f"suggestion in process ({len(times)}): p50 {percentile(times, 50):.2f} ms, p95 {percentile(times, 95):.2f} ms"
    )

    from rest_framework.test import APIClient

    agent, _created = User.objects.get_or_create(
        username="bench_agent", defaults={"role": "agent", "unit": Unit.objects.get(code="12345")}
    )
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    api_times = []
    for text in texts:
        at = time.perf_counter()
        response = client.post(
            "/api/v1/intake/classify/", {"content": text, "street": "110101001"}, format="json", secure=True
        )
        api_times.append((time.perf_counter() - at) * 1000)
        if response.status_code != 200:
            sys.exit(f"classify answered {response.status_code}: {response.content[:300]!r}")
    print(
        f"POST /api/v1/intake/classify/ ({len(api_times)}): p50 {percentile(api_times, 50):.2f} ms, "
        f"p95 {percentile(api_times, 95):.2f} ms"
    )


if __name__ == "__main__":
    main()
