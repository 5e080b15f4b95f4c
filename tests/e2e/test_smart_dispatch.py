"""Smart dispatch in the browser (智能派单): the agent types what the caller says, the model's suggestions
appear under the category field with their units, F2 takes the first, and the call is dispatched with it;
the decision is recorded as a suggestion kept."""

import pytest
from playwright.sync_api import expect

from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from intake.models import CategorySuggestion, Demand
from intake.services import classifier_train
from tests.conftest import reference_data_load
from tests.e2e.test_agent_call import log_in_with_the_keyboard
from tests.factories import UserFactory
from tests.intake.test_classifier import write_history


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_agent_takes_the_suggested_category_with_f2_and_dispatches(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reference_data_load()
    write_history()
    classifier_train()
    UserFactory(username="agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))

    log_in_with_the_keyboard(page, live_server, "agent")
    page.keyboard.type("13922223333")
    page.locator("#id_content").fill("楼里的升降梯又坏了，把人困在里面")
    page.locator("#id_address").fill("北京市东城区东华门街道南池子大街1号")
    first = page.locator('.category-suggestion[data-rank="1"]')
    expect(first).to_contain_text("电梯故障")
    expect(page.locator("#category-suggestions")).to_contain_text("→")  # the routed unit beside it
    page.locator("#id_content").focus()
    page.keyboard.press("F2")
    expect(page.locator("#id_category")).to_have_value("020102 电梯故障")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#call-outcome")).to_be_visible()

    demand = Demand.objects.get(content="楼里的升降梯又坏了，把人困在里面")
    assert demand.category.code == "020102" and not demand.category_auto
    record = CategorySuggestion.objects.get(demand=demand)
    assert (record.outcome, record.used, record.rank) == ("accepted", True, 1)
