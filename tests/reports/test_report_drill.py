"""From a report's number to the demands behind it (issue 22, what leaders need): the totals' counts by
channel, type, category and place open the list of those demands in the report's period."""

import re
from html import unescape

from django.test import Client

from intake.models import Demand
from tests.reports.test_pages import daily  # noqa: F401 - the fixture: a daily report over three demands


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_category_count_opens_its_demands(daily, leader):  # noqa: F811
    client = browser(leader)
    html = client.get(f"/reports/{daily.pk}/").content.decode()
    links = {unescape(h) for h in re.findall(r'href="([^"]+)" data-drill="category"', html)}
    assert links, "the category counts are links"
    city = next(link for link in links if "category=01" in link)
    listed = client.get(city).content.decode()
    # The report's category counts are by top-level matter: 01 城市管理 is every 01… demand of that day.
    day = daily.period_start
    of_day = Demand.objects.filter(received_at__date=day)
    urban = [d for d in of_day if d.category and d.category.code.startswith("01")]
    assert urban and all(d.number in listed for d in urban)
    assert all(d.number not in listed for d in of_day if not (d.category and d.category.code.startswith("01")))
    places = {unescape(h) for h in re.findall(r'href="([^"]+)" data-drill="place"', html)}
    assert places and all("from=" in link and "place=" in link for link in places)


def test_a_district_leader_sees_only_its_demands_behind_a_count(daily, reference):  # noqa: F811
    from hotline.core.models import Unit
    from tests.conftest import DISTRICT
    from tests.factories import UserFactory

    dongcheng = UserFactory(username="t_drill_dc", role="unit_leader", unit=Unit.objects.get(code=DISTRICT))
    day = daily.period_start.isoformat()
    listed = browser(dongcheng).get("/dispatch/search/", {"from": day, "to": day, "category": "01"}).content.decode()
    inside = Demand.objects.get(category__code="010303", street__code="110101001")
    outside = Demand.objects.exclude(street__code__startswith="110101").get(category__code="010303")
    assert inside.number in listed and outside.number not in listed
    # A date that does not parse is a plain (empty) search, not an error.
    assert browser(dongcheng).get("/dispatch/search/", {"from": "9999-99-99", "category": "01"}).status_code == 200


def drills(html: str, marker: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'href="([^"]+)" data-drill="{marker}"', html)]


def test_a_weeks_days_and_top_ten_open_their_demands(reference, leader):
    import datetime as dt

    from reports.choices import Kind
    from tests.conftest import STREET_A, STREET_B
    from tests.reports.test_build import DAY, build, demand

    tuesday = [demand(DAY - dt.timedelta(days=1), street=STREET_A) for _ in range(2)]
    wednesday = demand(DAY, street=STREET_B, category="020101")
    weekly = build(Kind.WEEKLY)
    client = browser(leader)
    html = client.get(f"/reports/{weekly.pk}/").content.decode()

    days = drills(html, "day")
    assert len(days) == 2  # a day without demands is a plain 0
    listed = client.get(next(d for d in days if (DAY - dt.timedelta(days=1)).isoformat() in d)).content.decode()
    assert all(d.number in listed for d in tuesday) and wednesday.number not in listed

    streets = drills(html[html.index('id="section-top"') :], "place")
    top_street = client.get(next(s for s in streets if f"place={STREET_B}" in s)).content.decode()
    assert wednesday.number in top_street and tuesday[0].number not in top_street
    categories = drills(html[html.index('id="section-top"') :], "category")
    heating = client.get(next(c for c in categories if "category=020101" in c)).content.decode()
    assert wednesday.number in heating and tuesday[0].number not in heating


def test_a_months_problems_and_year_trend_open_their_demands(reference, leader):
    import datetime as dt

    from reports.choices import Kind
    from tests.conftest import STREET_A, STREET_B
    from tests.reports.test_build import DAY, TZ, build, demand

    pair = [demand(DAY, street=STREET_A, category="010301") for _ in range(2)]
    other = demand(DAY, street=STREET_B, category="010301")
    monthly = build(Kind.MONTHLY, at=dt.datetime(2026, 12, 4, 6, 0, tzinfo=TZ))
    client = browser(leader)
    html = client.get(f"/reports/{monthly.pk}/").content.decode()

    pairs = drills(html, "pair")
    first = client.get(next(p for p in pairs if f"place={STREET_A}" in p and "category=010301" in p)).content.decode()
    assert all(d.number in first for d in pair) and other.number not in first

    months = drills(html, "month")
    november = client.get(next(m for m in months if "from=2026-11-01" in m)).content.decode()
    assert "to=2026-11-30" in next(m for m in months if "from=2026-11-01" in m)
    assert all(d.number in november for d in [*pair, other])


def test_a_ranked_unit_in_a_monthly_report_opens_its_scorecard(reference, leader):
    import datetime as dt

    from reports.choices import Kind
    from tests.conftest import STREET_A
    from tests.reports.test_build import DAY, TZ, build, demand

    demand(DAY, street=STREET_A, category="010301")
    monthly = build(Kind.MONTHLY, at=dt.datetime(2026, 12, 4, 6, 0, tzinfo=TZ))
    client = browser(leader)
    html = client.get(f"/reports/{monthly.pk}/").content.decode()
    cards = drills(html, "scorecard")
    assert cards and all("period=2026-11" in c for c in cards)
    card = next(c for c in cards if f"/assessment/units/{STREET_A}/" in c)
    assert client.get(card).status_code == 200
