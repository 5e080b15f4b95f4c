"""主动治理's mining (issue 20, point 2) on realistic Chinese demands: the same problem at the same place
found from the text (colloquial, with typos, the place only in the words), named place + problem;
surges against the year before; repeated places and callers; seasons; a rerun refreshes, a decided
proposal stays decided; the queue and the evidence through the API."""

import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from governance.mining import place_of, topics_mine
from governance.models import Topic
from hotline.core.models import Category, Unit
from intake.models import Demand
from tests.factories import UserFactory

BJ = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 11, 30, 3, 0, tzinfo=BJ)
_numbers = itertools.count(1)

MIXER = [  # 阳光小区's concrete mixing plant, told six ways (one with a typo: 搅伴站)
    "阳光小区旁边的搅拌站天天半夜施工，噪音太大了根本睡不着",
    "我住阳光小区3号楼，搅拌站晚上十一点还在干活，吵死了！！",
    "阳光小区北门外搅拌站噪音扰民，希望管管",
    "家住阳光小区，附近搅拌站夜间作业噪音严重影响休息，老人孩子都受不了",
    "阳光小区这边那个搅伴站又开始了，大半夜的轰隆隆，噪音扰民",
    "投诉阳光小区东侧搅拌站夜里施工扰民，大货车进进出出噪音很大",
]
SMOKE = [  # 幸福家园's restaurant fumes, five ways
    "幸福家园底商烧烤店油烟直接排到楼上，窗户都不敢开",
    "幸福家园1号楼下饭馆油烟太大，呛得人咳嗽",
    "幸福家园小区楼下餐馆油烟扰民，也没装净化器",
    "反映幸福家园南门那家烤串店油烟问题，天天冒烟",
    "幸福家园这边饭店的油烟熏得衣服都没法晾",
]
OTHERS = [  # the same street, nothing in common
    "路灯坏了好几天了",
    "想咨询一下公积金怎么提取",
    "小区门口有人占道经营",
    "孩子上学划片的问题想问问",
    "家里暖气不热",
]


def demand(text, at, *, street="110101001", category=None, phone="", address=""):
    return Demand.objects.create(
        number=f"T{next(_numbers):012d}",
        channel="phone",
        demand_type="complaint",
        category=Category.objects.get(code=category) if category else None,
        content=text,
        caller_phone=phone,
        address=address,
        street=Unit.objects.get(code=street) if street else None,
        received_at=at,
        disposition="imported",
    )


def test_places_are_read_from_the_text():
    assert place_of("", "我住阳光小区3号楼，搅拌站晚上还在干活") == "阳光小区"
    assert place_of("", "家住幸福家园，楼下油烟") == "幸福家园"
    assert place_of("北京市东城区南池子大街1号", "门口占道") == "南池子大街"
    assert place_of("", "家里暖气不热，走路都冷") == ""
    assert place_of("", "东华门街道占道经营问题，请尽快处理") == ""  # a 街道 is the street, not a place in it
    assert place_of("", "交道口街道南锣鼓巷北口的菊儿胡同里垃圾没人清") == "菊儿胡同"


def test_the_same_problem_at_the_same_place_is_found_and_named(reference):
    for i, text in enumerate(MIXER + SMOKE + OTHERS):
        demand(text, AT - dt.timedelta(days=1 + i % 20, hours=i), phone=f"1390000{i:04d}")
    result = topics_mine(at=AT)
    clusters = {t.title: t for t in Topic.objects.filter(kind="cluster")}
    assert result.by_kind["cluster"] == 2, clusters
    mixer = next(t for title, t in clusters.items() if title.startswith("阳光小区"))
    smoke = next(t for title, t in clusters.items() if title.startswith("幸福家园"))
    assert "搅拌站" in mixer.title and "搅拌站" in mixer.keywords
    assert "油烟" in smoke.title
    assert mixer.demand_count == 6 and smoke.demand_count == 5  # the typo joined by its wording
    linked = set(Demand.objects.filter(pk__in=mixer.links.values("demand_id")).values_list("content", flat=True))
    assert linked == set(MIXER)
    assert mixer.caller_count == 6 and mixer.street.code == "110101001"
    assert sum(n for _day, n in mixer.trend) == 6 and mixer.rule["place"] == "阳光小区"
    assert mixer.heat > 0 and mixer.status == "proposed"

    # A rerun refreshes; a dismissed proposal is not proposed again.
    again = topics_mine(at=AT + dt.timedelta(hours=1))
    assert (again.proposed, again.refreshed) == (0, 2) and Topic.objects.filter(kind="cluster").count() == 2
    refreshed = Topic.objects.get(pk=mixer.pk)
    assert refreshed.mined_at == AT + dt.timedelta(hours=1) and refreshed.keywords == mixer.keywords
    assert refreshed.links.count() == 6 and refreshed.rule["mined_at"] == (AT + dt.timedelta(hours=1)).isoformat()
    Topic.objects.filter(pk=smoke.pk).update(status="dismissed")
    third = topics_mine(at=AT + dt.timedelta(hours=2))
    assert third.left == 1 and Topic.objects.get(pk=smoke.pk).status == "dismissed"


def test_a_surge_needs_the_year_before_and_twice_its_volume(reference):
    for d in range(1, 5):
        demand("暖气不热", AT - dt.timedelta(days=365 + d), category="020101")
    for d in range(12):
        demand(f"家里暖气片冰凉，室温才{14 + d % 3}度", AT - dt.timedelta(days=d + 1), category="020101")
    # Another category at the same volume as a year before: no surge.
    for d in range(10):
        demand("路灯不亮", AT - dt.timedelta(days=365 + d + 1), category="010301")
        demand("路灯又不亮了", AT - dt.timedelta(days=d + 1), category="010301")
    result = topics_mine(at=AT)
    (surge,) = Topic.objects.filter(kind="surge")
    assert surge.category.code == "020101" and surge.demand_count == 12
    assert surge.rule["year_before"] == 4 and surge.rule["ratio"] == 2
    assert result.by_kind["surge"] == 1


def test_without_last_year_the_surge_rule_says_it_was_skipped(reference):
    for d in range(12):
        demand("暖气不热", AT - dt.timedelta(days=d + 1), category="020101")
    result = topics_mine(at=AT)
    assert not Topic.objects.filter(kind="surge").exists()
    assert any(reason.startswith("surge") for reason in result.skipped)


def test_repeated_places_and_callers(reference):
    for d in range(5):
        demand(f"第{d}次反映：楼道堆放杂物", AT - dt.timedelta(days=d * 10 + 1), address="北京市东城区南池子大街1号")
    for d in range(6):
        demand(f"还是没人管，第{d}次打电话", AT - dt.timedelta(days=d * 7 + 1), phone="13800138000", street="110101002")
    demand("楼道堆放杂物", AT - dt.timedelta(days=100), address="北京市东城区南池子大街1号")  # outside 90 days
    topics_mine(at=AT)
    place = Topic.objects.get(kind="repeat_place")
    assert place.demand_count == 5 and "南池子大街1号" in place.title
    caller = Topic.objects.get(kind="repeat_caller")
    assert caller.demand_count == 6 and "138****8000" in caller.title and "13800138000" not in caller.title


def test_a_season_is_proposed_a_month_ahead(reference):
    # Last December heating complaints ran far above the year's average month.
    for d in range(30):
        demand("暖气不热", dt.datetime(2025, 12, 1 + d % 28, 9, tzinfo=BJ), category="020101")
    for month in range(1, 12):
        demand("暖气不热", dt.datetime(2025, month, 10, 9, tzinfo=BJ), category="020101")
    topics_mine(at=AT)  # 30 November 2026: December is next
    (season,) = Topic.objects.filter(kind="seasonal")
    assert season.category.code == "020101" and "12月" in season.title and season.rule["month"] == "2026-12"


def test_the_queue_through_the_api_and_the_command(api, reference, supervisor, tmp_path):
    for i, text in enumerate(MIXER):
        demand(text, AT - dt.timedelta(days=i + 1))
    out = io.StringIO()
    call_command("minetopics", "--at", AT.isoformat(), "--days", "30", stdout=out)
    assert "1 proposed" in out.getvalue()
    api.as_user(supervisor)
    rows = api.get("/api/v1/governance/topics/?status=proposed").json()["results"]
    (row,) = rows
    assert set(row) >= {
        "id",
        "title",
        "keywords",
        "kind",
        "status",
        "heat",
        "demand_count",
        "caller_count",
        "first_at",
        "last_at",
    }
    demands = api.get(f"/api/v1/governance/topics/{row['id']}/demands/").json()["results"]
    assert len(demands) == 6 and set(demands[0]) >= {"id", "received_at", "content"}
    assert "caller_phone" not in demands[0]
    assert (
        api.post(f"/api/v1/governance/topics/{row['id']}/dismiss/", {"reason": " "}, format="json").status_code == 400
    )
    approved = api.post(f"/api/v1/governance/topics/{row['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api.post(f"/api/v1/governance/topics/{row['id']}/approve/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"
    # The street's own staff see its topic (and may not decide it); another district sees none of it.
    handler = UserFactory(username="t_h_topics", role="handler", unit=Unit.objects.get(code="110101001"))
    api.as_user(handler)
    assert [r["id"] for r in api.get("/api/v1/governance/topics/").json()["results"]] == [row["id"]]
    assert api.post(f"/api/v1/governance/topics/{row['id']}/evaluate/", {}, format="json").status_code == 403
    kb = UserFactory(username="t_kb_topics", role="kb_editor", unit=Unit.objects.get(code="12345"))
    api.as_user(kb)
    assert api.get("/api/v1/governance/topics/").status_code == 403
    other = UserFactory(username="t_l_cy", role="unit_leader", unit=Unit.objects.get(code="110105"))
    api.as_user(other)
    assert api.get("/api/v1/governance/topics/").json()["results"] == []
    assert api.get(f"/api/v1/governance/topics/{row['id']}/").status_code == 404
    bad = api.get("/api/v1/governance/topics/?status=whatever")
    assert bad.status_code == 400


@pytest.mark.parametrize("days", ["0", "-3", "99999"])
def test_the_command_refuses_a_silly_window(db, days):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("minetopics", "--days", days)
