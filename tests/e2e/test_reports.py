import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Instruction
from hotline.core.models import Unit
from reports.choices import Kind
from reports.services import report_build, report_request
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, make_demand


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_daily_report_with_charts_and_writes_a_pishi(live_server, page):
    reference_data_load()
    UserFactory(username="leader", role="leader", unit=Unit.objects.get(code="12345"), display_name="市领导")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9, 30)))
    case = make_demand(
        category="010303",
        street="110101001",
        urgency="urgent",
        received_at=at,
        name="张三丰",
        content="南池子大街路面塌陷，有车辆陷入。",
    )
    for street, category in (("110101002", "010101"), ("110105001", "020101"), ("110105001", "020101")):
        make_demand(category=category, street=street, received_at=at)
    report = report_request(kind=Kind.DAILY, day=yesterday, enqueue=False)
    report_build(report.pk)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/reports/")
    page.get_by_role("link", name="报告", exact=True).first.click()
    page.locator(f'tr[data-report="{report.pk}"] a').click()

    expect(page.locator("#report-title")).to_contain_text("市民热线反映")
    for chart in ("chart-channel", "chart-category", "chart-district"):
        element = page.locator(f'[data-chart="{chart}"]')
        expect(element).to_have_attribute("data-rendered", "true")
        expect(element.locator("canvas")).to_have_count(1)
    expect(page.locator("[data-total]")).to_have_text("4")
    row = page.locator("article[data-case]", has_text=case.number)
    expect(row).to_contain_text("张**")
    expect(row).not_to_contain_text("张三丰")

    row.locator("summary", has_text="批示").click()
    row.get_by_placeholder("对承办单位的批示").fill("请东华门街道立即处置塌陷，今日回复。")
    row.get_by_role("button", name="提交").click()
    expect(page.locator("#section-instructions")).to_contain_text("请东华门街道立即处置塌陷，今日回复。")
    instruction = Instruction.objects.get()
    assert instruction.unit == case.work_orders.get(role="main").unit and instruction.report_id == report.pk
