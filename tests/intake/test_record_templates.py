"""受理模板 (issue 22, what agents need): the hotline's recording templates and an agent's own. The desk offers
both; an agent keeps their own on a page; nobody else sees or changes them."""

from django.test import Client

from hotline.core.models import Category
from intake.models import RecordTemplate
from tests.factories import UserFactory


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_keeps_their_own_templates_and_the_desk_offers_them(agent):
    client = browser(agent)
    response = client.post(
        "/intake/templates/",
        {"title": "我的井盖模板", "category": "城市管理", "text": "市民来电反映：【地点】井盖缺失，存在安全隐患。"},
    )
    assert response.status_code == 302
    mine = RecordTemplate.objects.get(owner=agent)
    assert mine.category.code == "01"  # a branch, taken by its name
    RecordTemplate.objects.create(title="路灯不亮", text="市民来电反映：【地点】路灯不亮。")  # the hotline's
    desk = client.get("/dispatch/desk/").content.decode()
    assert 'data-fills="content"' in desk
    assert "我的井盖模板" in desk and "路灯不亮" in desk

    other = UserFactory(username="t_other_agent", role="agent", unit=agent.unit)
    theirs = browser(other)
    assert "我的井盖模板" not in theirs.get("/dispatch/desk/").content.decode()
    assert "路灯不亮" in theirs.get("/dispatch/desk/").content.decode()
    # Another agent can neither open, change nor delete it.
    assert theirs.get(f"/intake/templates/{mine.pk}/").status_code == 404
    assert theirs.post(f"/intake/templates/{mine.pk}/", {"delete": "1"}).status_code == 404
    assert RecordTemplate.objects.filter(pk=mine.pk).exists()


def test_a_template_is_changed_and_deleted_by_its_owner(agent):
    client = browser(agent)
    mine = RecordTemplate.objects.create(owner=agent, title="旧标题", text="旧内容【地点】")
    page = client.get(f"/intake/templates/{mine.pk}/").content.decode()
    assert "旧内容【地点】" in page and "data-confirm" in page  # deleting asks first
    response = client.post(f"/intake/templates/{mine.pk}/", {"title": "新标题", "category": "", "text": "新内容"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.text, mine.category) == ("新标题", "新内容", None)
    assert client.post(f"/intake/templates/{mine.pk}/", {"delete": "1"}).status_code == 302
    assert not RecordTemplate.objects.filter(pk=mine.pk).exists()


def test_a_bad_template_says_what_is_wrong_and_keeps_what_was_typed(agent):
    client = browser(agent)
    response = client.post("/intake/templates/", {"title": "", "category": "没有这个事项", "text": "写了一半的模板"})
    html = response.content.decode()
    assert response.status_code == 400 and not RecordTemplate.objects.exists()
    assert "写了一半的模板" in html and "没有这个事项" in html
    assert 'id="id_title-error"' in html and 'id="id_category-error"' in html
    too_long = client.post("/intake/templates/", {"title": "长", "text": "字" * 2001})
    assert too_long.status_code == 400 and "2000" in too_long.content.decode()


def test_the_hotlines_templates_are_not_the_agents_to_change(agent):
    shared = RecordTemplate.objects.create(title="路灯不亮", text="市民来电反映：【地点】路灯不亮。")
    client = browser(agent)
    assert client.post(f"/intake/templates/{shared.pk}/", {"title": "改掉", "text": "改掉"}).status_code == 404
    assert client.post(f"/intake/templates/{shared.pk}/", {"delete": "1"}).status_code == 404
    shared.refresh_from_db()
    assert shared.title == "路灯不亮"


def test_roles_that_record_no_calls_keep_no_templates(handler_a, leader):
    for user in (handler_a, leader):
        assert browser(user).get("/intake/templates/").status_code == 403
        assert browser(user).post("/intake/templates/", {"title": "x", "text": "y"}).status_code == 403
    assert not RecordTemplate.objects.exists()
    assert Category.objects.exists()
