"""The agent's call, keyboard only: the caller's history appears, the name is prefilled, the address
resolves to a street, Ctrl+Enter submits and the outcome says where the order went."""

import pytest
from playwright.sync_api import expect

from dispatch.services import demand_take
from hotline.core.models import Category, Unit
from hotline.core.services import CENTER_CODE
from intake.models import Demand
from tests.conftest import reference_data_load
from tests.factories import PASSWORD, UserFactory, make_demand


def log_in_with_the_keyboard(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/dispatch/desk/")
    # The URL changes before the page has loaded; keys typed before htmx has bound the live fields
    # would send no request (two clean-clone CI runs failed so).
    page.wait_for_load_state("load")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_agent_logs_a_call_with_the_keyboard_only(live_server, page):
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    earlier = make_demand(phone="13911112222", name="王小明", content="上周反映的占道经营问题。")
    web = demand_take(
        channel="web",
        demand_type="help",
        category=Category.objects.get(code="020101"),
        content="暖气不热",
        caller_phone="13911112222",
        caller_name="王小明",
        address="东城区景山街道",
    )

    log_in_with_the_keyboard(page, live_server, "agent")
    expect(page.locator("#id_caller_phone")).to_be_focused()
    page.keyboard.type("139 1111 2222")
    history = page.locator("#caller-history-table")
    expect(history).to_contain_text(earlier.number)
    expect(history).to_contain_text(web.number)
    expect(history).to_contain_text("网站")
    expect(page.locator("#id_caller_name")).to_have_value("王小明")

    page.keyboard.press("Tab")  # name (prefilled)
    page.keyboard.press("Tab")  # confidential
    page.keyboard.press("Tab")  # demand type: complaint by default
    page.keyboard.press("Tab")
    expect(page.locator("#id_category")).to_be_focused()
    page.keyboard.type("010101 占道经营")
    page.keyboard.press("Tab")
    page.keyboard.type("南池子大街8号门口又有人占道经营，人行道被堵。")
    page.keyboard.press("Tab")
    page.keyboard.type("北京市东城区东华门街道南池子大街8号")
    expect(page.locator("#street-resolution")).to_contain_text("东华门街道")
    expect(page.locator("#duplicates")).to_contain_text(earlier.work_orders.get().number)

    page.keyboard.press("Control+Enter")
    outcome = page.locator("#call-outcome")
    expect(outcome).to_contain_text("东华门街道")
    demand = Demand.objects.exclude(pk__in=[earlier.pk, web.pk]).get()
    expect(outcome).to_contain_text(demand.number)
    assert demand.disposition == "dispatched" and demand.street.code == "110101001"
    assert demand.caller_name == "王小明" and demand.caller_phone == "13911112222"
    # Reset for the next call: an empty form with the focus on the phone.
    expect(page.locator("#id_caller_phone")).to_have_value("")
    expect(page.locator("#id_caller_phone")).to_be_focused()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_draft_survives_a_reload_and_is_submitted_once(live_server, page):
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    log_in_with_the_keyboard(page, live_server, "agent")
    page.keyboard.type("13800009999")
    page.locator("#id_category").fill("020101 供暖不热")
    page.locator("#id_content").fill("家里暖气不热，只有十五度。")
    page.locator("#id_address").fill("东城区景山街道景山前街")
    key = page.locator("#id_idempotency_key").input_value()
    # The draft in the browser is encrypted with this session's key: no number, no text in the clear.
    page.wait_for_function(
        "() => (localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('hotline.call-draft')) || '') || '').includes('sealed')"
    )
    stored = page.evaluate("() => Object.values(localStorage).join(' ')")
    assert "13800009999" not in stored and "暖气" not in stored

    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#id_content")).to_have_value("家里暖气不热，只有十五度。")
    expect(page.locator("#id_caller_phone")).to_have_value("13800009999")
    assert page.locator("#id_idempotency_key").input_value() == key  # a retry is still the same submission
    page.locator("#dispatch-button").click()
    expect(page.locator("#call-outcome")).to_be_visible()
    assert Demand.objects.count() == 1

    expect(page).to_have_url(f"{live_server.url}/dispatch/desk/")  # a reload does not show the outcome again
    page.reload()  # the draft of the logged call is gone
    expect(page.locator("#draft-restored")).to_be_hidden()
    expect(page.locator("#id_content")).to_have_value("")

    # The next call's draft survives a reload too.
    page.locator("#id_caller_phone").fill("13700001234")
    page.locator("#id_content").fill("第二个来电：路灯不亮。")
    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#id_content")).to_have_value("第二个来电：路灯不亮。")

    # A draft left behind in the browser is unreadable once the session that wrote it has ended.
    left = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('hotline.call-draft'))")
    page.get_by_role("button", name="退出").click()
    log_in_with_the_keyboard(page, live_server, "agent")
    page.evaluate("(entries) => entries.forEach(([k, v]) => localStorage.setItem(k, v))", left)
    page.reload()
    # The new session's key cannot open it: the draft is dropped, nothing is restored.
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('hotline.call-draft'))")
    expect(page.locator("#draft-restored")).to_be_hidden()
    expect(page.locator("#id_content")).to_have_value("")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_after_a_validation_error_the_panels_show_the_callers_history(live_server, page):
    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    earlier = make_demand(phone="13911112222")
    log_in_with_the_keyboard(page, live_server, "agent")
    page.keyboard.type("13911112222")
    page.keyboard.press("Enter")  # submits at once: category and content are missing
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_caller_phone")).to_have_value("13911112222")
    expect(page.locator("#caller-history-table")).to_contain_text(earlier.number)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_knowledge_panel_answers_a_consultation(live_server, page):
    from knowledge_base.models import Article

    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    from knowledge_base.models import SearchLog

    article = Article.objects.filter(status="published", title__contains="社保").order_by("id").first()
    # The page runs under its Content-Security-Policy: nothing it needs may be refused.
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in_with_the_keyboard(page, live_server, "agent")
    page.keyboard.type("13600001111")
    page.locator("#id_category").fill("060101 社保缴纳")
    page.locator("#kb-q").fill(article.title[:6])
    suggestion = page.locator(f'#kb-suggestions [data-article="{article.pk}"]')
    expect(suggestion).to_be_visible()
    assert not SearchLog.objects.exists()  # prefixes typed on the way are not logged…
    with page.expect_response("**/knowledge/suggestions/"):
        page.locator("#kb-q").press("Enter")
    assert list(SearchLog.objects.values_list("query", flat=True)) == [article.title[:6]]  # …Enter is
    assert refused == []
    page.locator("#id_content").fill("灵活就业怎么交社保？")
    # The form's type is still 投诉: a complaint is never closed from the panel; the agent is told, and
    # nothing typed is lost.
    suggestion.get_by_role("button", name="用此条直接答复").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_content")).to_have_value("灵活就业怎么交社保？")
    assert not Demand.objects.exists()
    page.locator("#id_demand_type").select_option("consult")
    page.locator("#kb-q").fill(article.title[:6])
    suggestion = page.locator(f'#kb-suggestions [data-article="{article.pk}"]')
    expect(suggestion).to_be_visible()
    suggestion.get_by_role("button", name="用此条直接答复").click()
    outcome = page.locator("#call-outcome")
    expect(outcome).to_contain_text(article.title)
    demand = Demand.objects.get()
    assert demand.disposition == "answered" and demand.answer_article_id == article.pk
    assert Article.objects.get(pk=article.pk).answered_count == article.answered_count + 1


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_recording_template_fills_the_content_and_selects_its_first_blank(live_server, page):
    """受理模板: after the matter, the agent picks its template; the first 【…】 is selected and typed over."""
    from intake.models import RecordTemplate

    reference_data_load()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    RecordTemplate.objects.create(
        title="占道经营",
        text="市民来电反映：【地点】有商贩占道经营。诉求：请清理。",
        category=Category.objects.get(code="0101"),
    )
    RecordTemplate.objects.create(
        title="供暖不热", text="市民反映暖气不热。", category=Category.objects.get(code="0201")
    )
    log_in_with_the_keyboard(page, live_server, "agent")
    page.locator("#id_category").fill("010101 占道经营")
    page.locator("#id_category").press("Tab")
    templates = page.locator("#record-template")
    expect(templates).to_be_focused()  # the next stop after the matter
    assert templates.locator("option", has_text="供暖不热").evaluate("o => o.hidden")  # another matter's
    templates.select_option(value="市民来电反映：【地点】有商贩占道经营。诉求：请清理。")
    content = page.locator("#id_content")
    expect(content).to_be_focused()
    assert content.evaluate("a => a.value.substring(a.selectionStart, a.selectionEnd)") == "【地点】"
    page.keyboard.type("南池子大街8号门口")
    expect(content).to_have_value("市民来电反映：南池子大街8号门口有商贩占道经营。诉求：请清理。")
