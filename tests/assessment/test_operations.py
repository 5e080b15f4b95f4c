"""Running the assessment: the command's refusals and preview, the nightly preview and the daily
catch-up of settled months (scoring waits for no operator), months frozen under the first rules,
a district's own scheme, the public ranking, 七有五性 slices and the rankings in the daily report."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from assessment.models import Scheme, Snapshot, SnapshotOrder, SnapshotUnit
from assessment.services import score_month, score_preview, score_settled_months
from hotline.core.models import Unit
from tests.assessment.test_scoring import OCTOBER, SETTLED, TZ, A, B, C, answer, freeze, order_in, row

NOVEMBER_DAY = dt.datetime(2026, 11, 2, 12, 0, tzinfo=TZ)


@pytest.fixture
def october(scheme, staff):
    for _ in range(3):
        answer(staff, order_in(A), True, "resolved", "satisfied")
    answer(staff, order_in(B), True, "partly", "basically", unit_says="partly")
    order_in(C)  # never answered
    return None


def run(*args) -> str:
    out = StringIO()
    call_command("scoremonth", *args, stdout=out)
    return out.getvalue()


def test_the_command_refuses_a_month_not_over_or_not_settled(october):
    with pytest.raises(CommandError, match="2026-10.*--preview"):  # not ended (in the operator's language)
        run("--period", "2026-10", "--at", "2026-10-31T23:00:00+08:00")
    with pytest.raises(CommandError, match="2026-11-05 00:00.*--force"):  # the settlement window is open
        run("--period", "2026-10", "--at", NOVEMBER_DAY.isoformat())
    assert not Snapshot.objects.exists()
    out = run("--period", "2026-10", "--at", NOVEMBER_DAY.isoformat(), "--preview")
    assert "PREVIEW" in out and Snapshot.objects.get().is_preview
    forced = run("--period", "2026-10", "--at", NOVEMBER_DAY.isoformat(), "--force")
    assert "frozen" in forced
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("--period", "October")
    with pytest.raises(CommandError, match="ISO-8601"):
        run("--period", "2026-10", "--at", "yesterday")


def test_the_command_freezes_as_of_the_moment_given(october):
    out = run("--period", "2026-10", "--at", SETTLED.isoformat())
    snapshot = Snapshot.objects.get(is_current=True)
    assert "frozen" in out and snapshot.as_of == SETTLED and snapshot.revision == 1
    assert row(snapshot, C).no_reply == 1


def test_the_preview_is_marked_replaced_nightly_and_never_current(october, api, leader):
    first = score_preview(at=dt.datetime(2026, 10, 24, 2, 0, tzinfo=TZ))
    assert OCTOBER in [s.period for s in first] and all(s.is_preview for s in first)
    again = score_preview(at=dt.datetime(2026, 10, 25, 2, 0, tzinfo=TZ))
    previews = Snapshot.objects.filter(period=OCTOBER, is_preview=True)
    assert previews.count() == 1 and previews.get().as_of == dt.datetime(2026, 10, 25, 2, 0, tzinfo=TZ)
    assert not previews.get().is_current and again
    data = api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10", "preview": "1"}).json()
    assert data["preview"] is True and data["revision"] == 0
    assert api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10"}).status_code == 404
    client = Client()
    client.force_login(leader)
    page = client.get("/assessment/rankings/", {"period": "2026-10", "preview": "1"}).content.decode()
    assert 'id="preview-banner"' in page


def test_settled_months_are_caught_up_as_of_their_window_once(october, staff):
    # The platform was down over the 1st and the 5th: at start-up every settled month without a snapshot is
    # frozen as of the moment its window closed, oldest first; a second run changes nothing.
    later = dt.datetime(2026, 12, 10, 8, 0, tzinfo=TZ)
    frozen = score_settled_months(at=later)
    months = sorted(s.period for s in frozen)
    assert OCTOBER in months and dt.date(2026, 11, 1) in months
    october_snapshot = Snapshot.objects.get(period=OCTOBER, is_current=True)
    assert october_snapshot.as_of == SETTLED
    assert score_settled_months(at=later + dt.timedelta(days=1)) == []
    assert Snapshot.objects.filter(period=OCTOBER, is_preview=False).count() == 1


def test_the_worker_start_up_enqueues_the_catch_up(monkeypatch):
    from hotline import celery as celery_module

    sent = []

    class App:
        def send_task(self, name, *args, **kwargs):
            sent.append(name)

    monkeypatch.delenv("HOTLINE_NO_STARTUP_CATCHUP", raising=False)
    celery_module._catch_up_on_start(sender=type("Consumer", (), {"app": App()})())
    assert sent == ["assessment.score_settled_months"]


def test_a_month_frozen_under_the_first_rules_stays_readable_and_rescoring_lists_what_changed(october, leader):
    old = Snapshot.objects.create(period=OCTOBER, revision=1, scheme=Scheme.objects.get(), rules=1, computed_at=SETTLED)
    a = Unit.objects.get(code=A)
    from dispatch.models import WorkOrder

    first = WorkOrder.objects.filter(unit=a).first()
    SnapshotOrder.objects.create(
        snapshot=old,
        order=first,
        unit=a,
        contacted=True,
        resolution="resolved",
        satisfaction="satisfied",
        response_score=100,
        resolution_score=100,
        satisfaction_score=100,
    )
    SnapshotUnit.objects.create(
        snapshot=old,
        unit=a,
        level="street",
        assessed=1,
        score=Decimal("100.00"),
        rank=1,
        response_rate=100,
        resolution_rate=100,
        satisfaction_rate=100,
    )
    client = Client()
    client.force_login(leader)
    page = client.get("/assessment/rankings/", {"period": "2026-10"}).content.decode()
    assert 'id="first-rules"' in page and "100.00" in page
    new = score_month(OCTOBER, at=SETTLED, note="rescored by the due-month rules")
    assert (new.revision, new.rules, Snapshot.objects.get(pk=old.pk).rules) == (2, 2, 1)
    page = client.get("/assessment/rankings/", {"period": "2026-10"}).content.decode()
    assert 'id="revision-changes"' in page
    assert row(new, C).no_reply == 1  # what the first rules never counted


def test_a_district_runs_its_own_scheme_for_its_internal_ranking(october, leader):
    dongcheng = Unit.objects.get(code="110101")
    Scheme.objects.create(
        version=1,
        district=dongcheng,
        valid_from=dt.date(2020, 1, 1),
        min_volume=1,
        tier_size=1,
        weight_response=Decimal("0.10"),
        weight_resolution=Decimal("0.45"),
        weight_satisfaction=Decimal("0.45"),
    )
    city = freeze()
    internal = score_month(OCTOBER, at=SETTLED, district=dongcheng)
    assert internal.district == dongcheng and internal.scheme.district == dongcheng
    assert city.scheme.district is None and city.is_current and internal.is_current  # both current, each in its scope
    # B: 100 / 50 / 80 → city 30 + 17.5 + 28 = 75.50; the district's 10 + 22.5 + 36 = 68.50
    assert (row(city, B).score, row(internal, B).score) == (Decimal("75.50"), Decimal("68.50"))
    assert not internal.units.exclude(unit__path__startswith=dongcheng.path).exists()
    data = Client()
    data.force_login(leader)
    page = data.get("/assessment/rankings/", {"period": "2026-10", "district": "110101", "scope": "district"})
    assert "68.50" in page.content.decode()


def test_the_public_ranking_needs_no_login_and_shows_no_person(october, staff):
    freeze()
    anonymous = Client()
    page = anonymous.get("/public/rankings/", {"period": "2026-10"})
    assert page.status_code == 200 and A in page.content.decode()
    data = anonymous.get("/api/v1/public/rankings/", {"period": "2026-10"}).json()
    first = next(r for r in data["results"] if r["unit"] == A)
    assert first["score"] == "100.00"
    text = page.content.decode() + str(data)
    assert "13800000000" not in text and "王小明" not in text  # no caller, no order of anyone
    assert not any(key in first for key in ("orders", "caller_phone", "caller_name"))
    assert anonymous.get("/api/v1/public/rankings/", {"period": "nope"}).json()["code"] == "invalid_period"
    assert anonymous.get("/api/v1/public/rankings/", {"period": "2026-10", "preview": "1"}).json()["results"]


def test_a_livelihood_slice_of_the_ranking(october, staff, leader):
    from hotline.core.models import CategoryTag

    assert CategoryTag.objects.filter(category__code="0101", tag="宜居性").exists()  # 市容环境
    snapshot = freeze()
    client = Client()
    client.force_login(leader)
    page = client.get("/assessment/rankings/", {"period": "2026-10", "tag": "宜居性"}).content.decode()
    assert 'id="tag-slice"' in page and f'data-unit="{A}"' in page  # 占道经营 is under 市容环境
    empty = client.get("/assessment/rankings/", {"period": "2026-10", "tag": "幼有所育"}).content.decode()
    assert f'data-unit="{A}"' not in empty[empty.index('id="tag-slice"') :]
    assert snapshot.orders.filter(category__code="010101").exists()


def test_the_daily_report_ranks_the_streets_so_far_as_a_preview(october, leader):
    from reports.choices import Kind, Section
    from reports.selectors import report_view
    from reports.services import report_build, report_request

    at = dt.datetime(2026, 10, 29, 6, 0, tzinfo=TZ)
    report = report_request(kind=Kind.DAILY, day=dt.date(2026, 10, 28), at=at, enqueue=False)
    report = report_build(report.pk, at=at)
    ranking = report_view(report, leader)["sections"][Section.RANKING]
    assert ranking["meta"]["preview"] is True and ranking["meta"]["period"] == "2026-10"
    codes = {r["code"]: r for r in ranking["rows"]}
    assert codes[C]["no_reply"] == 1 and codes[A]["score"] == "100.00"
    assert C in [r["code"] for r in ranking["last"]]
