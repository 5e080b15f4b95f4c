"""The portal asks for the matter as a citizen knows it (issue 22, point 4): a short list of common
matters, or the matter typed in words, or nothing — then "is it one of these?"."""

import pytest
from django.core.cache import cache
from django.test import Client

from intake.models import Demand
from tests.intake.test_pages import PORTAL


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_portal_offers_common_matters_and_takes_one_with_a_click(reference):
    page = Client().get("/portal/").content.decode()
    assert 'name="common"' in page and "占道经营" in page and "路灯不亮" in page
    response = Client().post("/portal/", {**PORTAL, "category": "", "common": "010301", "idempotency_key": "w-2"})
    assert response.status_code == 302
    assert Demand.objects.get().category.code == "010301"


def test_a_matter_typed_in_words_is_understood(reference):
    response = Client().post("/portal/", {**PORTAL, "category": "占道经营", "idempotency_key": "w-3"})
    assert response.status_code == 302 and Demand.objects.get().category.code == "010101"


def test_without_a_matter_the_citizen_is_asked_which_one_and_loses_nothing(reference):
    # No model is trained in this test database: nothing decides the matter alone.
    response = Client().post("/portal/", {**PORTAL, "category": "", "idempotency_key": "w-4"})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert 'id="common-error"' in html
    assert PORTAL["content"] in html and PORTAL["address"] in html  # what was typed is kept


def test_the_portal_asks_is_it_one_of_these_and_adds_the_citizens_voice(reference, agent):
    from dispatch.selectors import main_order
    from tests.factories import make_demand

    open_order = main_order(
        make_demand(
            content="景山前街有人摆摊占道，堵住人行道。", address="东城区景山街道景山前街", street="110101002", by=agent
        )
    )
    elsewhere = main_order(make_demand(content="南池子大街占道经营。", by=agent))
    client = Client()
    first = client.post("/portal/", {**PORTAL, "idempotency_key": "w-5"})
    html = first.content.decode()
    assert first.status_code == 200 and 'id="nearby"' in html
    assert f'value="{open_order.pk}"' in html and f'value="{elsewhere.pk}"' not in html
    assert "摆摊占道，堵住人行道" not in html  # another citizen's words are not shown
    assert Demand.objects.count() == 2  # nothing taken yet

    second = client.post(
        "/portal/", {**PORTAL, "idempotency_key": "w-5", "nearby_answered": "1", "same_as": str(open_order.pk)}
    )
    assert second.status_code == 302
    mine = Demand.objects.order_by("-pk").first()
    assert mine.disposition == "merged"
    open_order.refresh_from_db()
    assert open_order.complainant_count == 2


def test_an_order_that_was_not_offered_cannot_be_joined(reference, agent):
    from dispatch.selectors import main_order
    from tests.factories import make_demand

    elsewhere = main_order(make_demand(content="南池子大街占道经营。", by=agent))
    response = Client().post(
        "/portal/", {**PORTAL, "idempotency_key": "w-6", "nearby_answered": "1", "same_as": str(elsewhere.pk)}
    )
    assert response.status_code == 302
    mine = Demand.objects.order_by("-pk").first()
    assert mine.disposition != "merged"
    elsewhere.refresh_from_db()
    assert elsewhere.complainant_count == 1


def test_a_citizens_photos_reach_the_unit_small_and_without_their_location(reference, handler_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dispatch.selectors import main_order
    from tests.dispatch.test_order_attachments import photo

    settings.MEDIA_ROOT = tmp_path
    address = {"address": "东城区东华门街道南池子大街8号", "content": "南池子大街8号门口有人占道经营。"}
    response = Client().post("/portal/", {**PORTAL, **address, "idempotency_key": "w-7", "photos": [photo()]})
    assert response.status_code == 302
    demand = Demand.objects.get()
    attachment = demand.attachments.get()
    from PIL import Image

    with Image.open(attachment.file.path) as stored:
        assert max(stored.size) == 2000 and not stored.getexif()
    handler = Client()
    handler.force_login(handler_a)
    page = handler.get(f"/dispatch/orders/{main_order(demand).pk}/").content.decode()
    link = f"/dispatch/demands/{demand.pk}/photos/{attachment.pk}/"
    assert link in page and handler.get(link).status_code == 200
    assert Client().get(link).status_code == 302  # not to anyone without an account

    text = SimpleUploadedFile("notes.pdf", b"%PDF-1.4", content_type="application/pdf")
    refused = Client().post("/portal/", {**PORTAL, **address, "idempotency_key": "w-8", "photos": [text]})
    assert refused.status_code == 400 and "notes.pdf" in refused.content.decode()
    assert Demand.objects.count() == 1


def test_a_matter_offered_on_the_question_page_is_accepted_next(reference):
    # The model is not trained here: the question offers the common matters; a matter offered only on that
    # page (any active one) must be accepted on the next submission too.
    response = Client().post("/portal/", {**PORTAL, "category": "", "common": "090501", "idempotency_key": "w-9"})
    assert response.status_code == 302 and Demand.objects.get().category.code == "090501"
