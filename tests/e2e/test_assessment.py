"""A street appeals how an unanswered order counted, with a file; its district forwards the appeal; the
city accepts it; the month gets a new revision that the ranking page shows (Playwright, Chromium)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from assessment.models import Appeal, Scheme, Snapshot
from assessment.services import score_month
from hotline.core.models import Unit
from tests.assessment.test_scoring import CALLED, OCTOBER, SETTLED, answer, order_in
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory

STREET = "110101001"  # 东华门街道


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(f"{live_server.url}/accounts/login/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_appeal_from_the_scorecard_to_a_new_revision(live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    reference_data_load()
    Scheme.objects.all().delete()
    Scheme.objects.create(version=1, valid_from=dt.date(2020, 1, 1), min_volume=1, tier_size=1)
    center, street = Unit.objects.get(code="12345"), Unit.objects.get(code=STREET)
    staff = {
        "handlers": {STREET: UserFactory(username="handler", role="handler", unit=street)},
        "dispatcher": UserFactory(username="dispatcher", role="dispatcher", unit=center),
        "callback": UserFactory(username="callback", role="callback", unit=center),
    }
    UserFactory(username="district", role="unit_leader", unit=Unit.objects.get(code="110101"))
    UserFactory(username="supervisor", role="supervisor", unit=center)
    for _ in range(3):
        answer(staff, order_in(STREET), True, "resolved", "satisfied")
    unanswered = order_in(STREET, at=CALLED + dt.timedelta(hours=1))
    order_in(STREET, at=CALLED + dt.timedelta(hours=2))
    first = score_month(OCTOBER, at=SETTLED)
    assert first.units.get(unit=street).no_reply == 2

    # The street's handler appeals one unanswered order from its scorecard.
    log_in(page, live_server, "handler")
    page.goto(f"{live_server.url}/assessment/units/{STREET}/?period=2026-10")
    row = page.locator(f'tr[data-order="{unanswered.number}"]')
    expect(row).to_have_attribute("data-outcome", "no_reply")
    row.get_by_role("link", name="申诉").click()
    page.get_by_label("原因", exact=True).select_option("withdrawn")
    page.get_by_label("说明", exact=True).fill("诉求人已于10月15日书面撤回诉求")
    evidence = tmp_path / "撤诉书.pdf"
    evidence.write_bytes("%PDF-1.4 撤诉书".encode())
    page.locator("input[name=files]").set_input_files(str(evidence))
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".alert-success")).to_contain_text("申诉已提交")
    appeal = Appeal.objects.get()
    assert appeal.status == "pending" and appeal.attachments.get().name == "撤诉书.pdf"

    # Its district reviews first and forwards it; the city accepts it.
    log_in(page, live_server, "district")
    page.goto(f"{live_server.url}/assessment/review/")
    card = page.locator(f'[data-appeal="{appeal.pk}"]')
    expect(card).to_contain_text("诉求人已于10月15日书面撤回诉求")
    expect(card.get_by_role("link", name="📎 撤诉书.pdf")).to_be_visible()
    card.get_by_placeholder("决定理由").fill("已核实撤诉书")
    card.get_by_role("button", name="同意：转市级审核").click()
    expect(page.locator(".alert-success")).to_contain_text("已转市级审核")

    log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/assessment/review/")
    card = page.locator(f'[data-appeal="{appeal.pk}"]')
    card.get_by_placeholder("决定理由").fill("撤诉属实")
    card.get_by_role("button", name="通过（生成本月新修订版）").click()
    expect(page.locator(".alert-success").first).to_contain_text("2026-10 r2")
    current = Snapshot.objects.get(period=OCTOBER, is_current=True)
    assert current.revision == 2 and current.units.get(unit=street).no_reply == 1
    page.goto(f"{live_server.url}/assessment/rankings/?period=2026-10&district=110101")
    expect(page.locator("#revision-changes")).to_contain_text("东华门街道")
