"""主动治理 in the browser: a supervisor opens the proposal queue from the menu, reads the hottest
proposal's evidence (the trend chart, the demands), approves it and sets it to work with a lead unit
picked from the list; the street's leader finds it in the inbox and adds a milestone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.mining import topics_mine
from governance.models import Topic
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.conftest import reference_data_load
from tests.e2e.test_supervision import log_in
from tests.factories import UserFactory
from tests.governance.test_mining import MIXER, demand


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_takes_up_the_hottest_proposal_and_the_street_plans_it(live_server, page):
    reference_data_load()
    UserFactory(username="supervisor", role="supervisor", unit=Unit.objects.get(code=CENTER_CODE))
    UserFactory(username="l110101001", role="unit_leader", unit=Unit.objects.get(code="110101001"))
    now = timezone.now()
    for i, text in enumerate(MIXER):
        demand(text, now - dt.timedelta(days=1 + i), phone=f"1350000{i:04d}")
    topics_mine(at=now)
    topic = Topic.objects.get(kind="cluster")

    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="主动治理").first.click()
    row = page.locator(f'#topics tr[data-topic="{topic.pk}"]')
    expect(row).to_contain_text("阳光小区")
    row.get_by_role("link", name=topic.title).click()
    expect(page.locator("#topic-trend canvas")).to_have_count(1)  # the chart was drawn
    expect(page.locator("#topic-demands [data-demand]")).to_have_count(6)
    page.locator('[data-step="approve"]').get_by_role("button").click()
    expect(page.locator("#topic-status")).to_have_text("已批准")
    start = page.locator('[data-step="start"]')
    start.get_by_label("主办单位", exact=True).fill("东华门街道")  # the unit by its name (issue 22, point 3)
    start.get_by_label("解决方案").fill("搅拌站夜间停工，加装隔音棚。")
    start.get_by_role("button").click()
    expect(page.locator("#topic-status")).to_have_text("办理中")
    expect(page.locator("#topic-work")).to_contain_text("东华门街道")
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "l110101001")
    expect(page.locator("#unread-count")).to_have_text("1")
    page.locator("#inbox-link").click()
    page.locator('#inbox li[data-kind="topic_assigned"]').get_by_role("button", name="打开").click()
    expect(page).to_have_url(f"{live_server.url}/governance/topics/{topic.pk}/")
    milestone = page.locator('[data-step="milestone"]')
    milestone.get_by_label("节点").fill("隔音棚完工")
    milestone.get_by_label("到期").fill((timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    milestone.get_by_role("button").click()
    expect(page.locator("#topic-milestones")).to_contain_text("隔音棚完工")
