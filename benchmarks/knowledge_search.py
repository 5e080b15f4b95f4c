"""Benchmark: knowledge-base search at 100,000 articles, through the API, and recall.

Usage (PostgreSQL; the database is created once and reused unless --fresh):
    .venv/bin/python benchmarks/knowledge_search.py --articles 100000 --runs 5

Loads the reference data and the 80 written articles of demo/data/articles.json, tops the
corpus up with generated articles (generateknowledge), then:
- latency: every query of a fixed set (docs/kb-queries.csv, all of 2–8 characters) through
  GET /api/v1/knowledge/articles/?q= (in-process Django client with a token: middleware, auth,
  serialisation included), `--runs` rounds, p50/p95; and the bare SQL of the same search as the
  ceiling, interleaved;
- recall: for every labelled query (docs/kb-queries.csv) whether the intended article is in the top 5.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile as pct  # noqa: E402

DB = "hotline_bench_kb"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ.setdefault("CONN_MAX_AGE", "60")  # as deployed: connections are reused
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    if args.fresh:
        psql(f"DROP DATABASE IF EXISTS {DB}")
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"):
        psql(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from demo.articles import articles_seed
    from demo.knowledge import generate_articles
    from hotline.core.services import reference_data_load
    from knowledge_base.models import Article
    from knowledge_base.search import search

    reference_data_load()
    articles_seed(generated=0)
    missing = args.articles - Article.objects.count()
    if missing > 0:
        started = time.perf_counter()
        generate_articles(
            count=missing,
            seed=11,
            batch=5000,
            progress=lambda d, t: print(f"  generated {d}/{t} ({time.perf_counter() - started:.0f}s)", flush=True),
        )
        print(f"generation of {missing} articles: {time.perf_counter() - started:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_base_article")

    rows = list(csv.DictReader((ROOT / "docs" / "kb-queries.csv").open(encoding="utf-8")))
    keys = {item["key"]: item["title"] for item in json.loads((ROOT / "demo/data/articles.json").read_text())}
    titles = {a.title: a.pk for a in Article.objects.filter(title__in=keys.values())}
    latency_queries = [r["query"] for r in rows if 2 <= len(r["query"]) <= 8]

    from rest_framework.authtoken.models import Token

    from hotline.core.models import User

    user, _ = User.objects.get_or_create(username="bench_agent", defaults={"role": "agent"})
    token, _ = Token.objects.get_or_create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    api, sql = [], []
    for query in latency_queries:  # warm-up
        client.get("/api/v1/knowledge/articles/", {"q": query})
    db_time = [0.0]

    def timed(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    for _ in range(args.runs):
        for query in latency_queries:
            db_time[0] = 0.0
            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                response = client.get("/api/v1/knowledge/articles/", {"q": query})
                api.append(time.perf_counter() - started)
            sql.append(db_time[0])
            assert response.status_code == 200, response.content[:200]

    found = defaultdict(lambda: [0, 0])
    misses = []
    for r in rows:
        target = titles.get(keys[r["article_key"]])
        top = [hit.article.pk for hit in search(r["query"], limit=5)]
        found[r["kind"]][1] += 1
        if target in top:
            found[r["kind"]][0] += 1
        else:
            misses.append(r["query"])
    total_hit = sum(v[0] for v in found.values())
    total = sum(v[1] for v in found.values())

    print(f"articles: {Article.objects.count()} ({Article.objects.filter(status='published').count()} published)")
    print(f"latency queries: {len(latency_queries)} of 2–8 characters × {args.runs} runs = {len(api)} requests")
    print(f"API   p50 {pct(api, 50) * 1000:.1f} ms   p95 {pct(api, 95) * 1000:.1f} ms   max {max(api) * 1000:.1f} ms")
    print(
        f"SQL   p50 {pct(sql, 50) * 1000:.1f} ms   p95 {pct(sql, 95) * 1000:.1f} ms   (ceiling: the same requests' database time alone)"
    )
    print(f"ratio p50 API/SQL: {pct(api, 50) / pct(sql, 50):.2f}")
    print(f"recall@5: {total_hit}/{total} = {total_hit / total:.1%}")
    for kind, (hit, n) in sorted(found.items()):
        print(f"  {kind}: {hit}/{n}")
    print("misses:", "、".join(misses))
    print("postgres:", psql("SHOW shared_buffers", DB), psql("SHOW work_mem", DB), psql("SELECT version()", DB)[:40])
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
