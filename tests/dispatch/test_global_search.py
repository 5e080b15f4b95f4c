"""全局搜索 from every page (issue 22, what agents need): a number, a caller's phone number, or words;
within the reader's scope; a unit does not look people up by their phone number."""

from django.test import Client

from tests.conftest import STREET_B
from tests.factories import main_order, make_demand


def search(user, q) -> str:
    client = Client()
    client.force_login(user)
    html = client.get("/dispatch/search/", {"q": q}).content.decode()
    return html[html.index('id="search-how"') :] if q else html  # the results, not the echo of q in the boxes


def test_an_agent_finds_a_demand_by_number_phone_or_words(agent):
    mine = make_demand(phone="13911112222", content="南池子大街8号门口占道经营。", by=agent)
    other = make_demand(phone="13800001111", content="景山前街暖气不热。", category="020101", by=agent)
    assert 'id="global-search"' in search(agent, "")  # the box is in the header of every page
    assert "search-results" not in search(agent, "")

    by_number = search(agent, mine.number)
    assert mine.number in by_number and other.number not in by_number
    by_tail = search(agent, mine.number[-6:])
    assert mine.number in by_tail
    by_order = search(agent, main_order(mine).number)
    assert mine.number in by_order and other.number not in by_order

    by_phone = search(agent, "139-1111-2222")
    assert mine.number in by_phone and other.number not in by_phone
    assert "13911112222" not in by_phone  # the number stays masked in the results

    by_words = search(agent, "暖气")
    assert other.number in by_words and mine.number not in by_words


def test_a_unit_searches_its_own_orders_and_not_by_phone(agent, handler_a):
    ours = make_demand(phone="13911112222", content="南池子大街占道经营。", by=agent)
    theirs = make_demand(phone="13911112222", content="景山前街占道经营。", street=STREET_B, by=agent)
    words = search(handler_a, "占道经营")
    assert ours.number in words and theirs.number not in words
    assert theirs.number not in search(handler_a, theirs.number)
    assert ours.number not in search(handler_a, "13911112222")  # no lookup of people by number
