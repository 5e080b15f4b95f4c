"""The leader's dashboard is a tool (issue 22, point 7): each count opens the orders it counts, overdue
is red, and the last 30 days stand beside today's numbers."""

import datetime as dt
import re
from html import unescape

from django.test import Client
from django.utils import timezone

from tests.conftest import STREET_A, STREET_B
from tests.factories import main_order, make_demand


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def links(html: str, marker: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'href="([^"]+)"[^>]*data-drill="{marker}"', html)]


def test_each_count_opens_the_orders_it_counts(leader, agent):
    late = main_order(make_demand(street=STREET_A, content="南池子大街占道经营。", by=agent))
    late.deadline = timezone.now() - dt.timedelta(hours=3)
    late.save(update_fields=["deadline"])
    fresh = main_order(make_demand(street=STREET_B, category="020101", content="暖气不热。", by=agent))
    client = browser(leader)
    html = client.get("/reports/").content.decode()

    overdue = links(html, "overdue")
    assert overdue and "badge text-bg-danger" in html  # red, not black
    listed = client.get(overdue[0]).content.decode()
    assert late.number in listed and fresh.number not in listed

    dispatched = links(html, "dispatched")
    assert len(dispatched) == 1
    today = client.get(dispatched[0]).content.decode()
    assert late.number in today and fresh.number in today  # both were dispatched today, whatever their light


def test_the_thirty_day_trend_counts_each_days_demands_and_opens_them(leader, agent):
    made = {back: [] for back in (1, 3)}
    for back in (1, 1, 3):
        made[back].append(make_demand(by=agent, received_at=timezone.now() - dt.timedelta(days=back)))
    client = browser(leader)
    html = client.get("/reports/").content.decode()
    bars = re.findall(r'class="[^"]*trend-bar"[^>]*title="([^"]+)"', html)
    assert len(bars) == 30
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%m-%d")
    three_back = (timezone.localdate() - dt.timedelta(days=3)).strftime("%m-%d")
    assert f"{yesterday}: 2" in bars and f"{three_back}: 1" in bars
    # A bar opens the demands it counts: those received that day (not the orders dispatched that day).
    yesterdays_bar = links(html, "trend")[-1]
    listed = client.get(yesterdays_bar).content.decode()
    assert all(d.number in listed for d in made[1]) and made[3][0].number not in listed


def test_each_district_has_its_own_thirty_day_trend(leader, agent):
    for back in (1, 2, 2):
        make_demand(by=agent, received_at=timezone.now() - dt.timedelta(days=back))
    html = browser(leader).get("/reports/").content.decode()
    row = html[html.index("东城区") : html.index("</tr>", html.index("东城区"))]
    assert 'class="row-trend"' in row and "3" in re.search(r"<title>([^<]+)</title>", row).group(1)
    # The line opens the district's demands of those 30 days.
    listed = browser(leader).get(links(row, "row-trend")[0]).content.decode()
    assert listed.count('href="/dispatch/demands/') >= 3


def test_a_day_out_of_range_is_no_server_error(leader):
    response = browser(leader).get("/dispatch/unit/", {"event": "dispatched", "day": "9999-12-31"})
    assert response.status_code == 200
