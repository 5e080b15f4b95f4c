"""Knowledge base: versions and diffs, review and who may do what, expiry, Chinese search on
PostgreSQL, the workbench panel, usage, Excel round trip, API."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hotline.core.exceptions import Forbidden, StateConflict
from hotline.core.models import Category
from intake.models import Demand
from knowledge_base import services
from knowledge_base.models import Article, SearchLog
from knowledge_base.search import search
from tests.factories import UserFactory, wipe


@pytest.fixture
def editor(reference):
    # These tests build their own small corpus (the demo articles are rolled back with the test).
    wipe(Article.objects.all())
    return UserFactory(username="t_editor", role="kb_editor")


@pytest.fixture
def reviewer(reference):
    return UserFactory(username="t_reviewer", role="kb_editor")


def publish(editor, reviewer, **values):
    article = services.article_save(by=editor, **values)
    services.article_submit(article=article, by=editor)
    return services.article_publish(article=article, by=reviewer)


@pytest.fixture
def corpus(editor, reviewer):
    cat = Category.objects.get(code="060101")
    return {
        "social": publish(
            editor,
            reviewer,
            title="灵活就业人员社保缴纳办法",
            questions="个人怎么交社保\n自由职业交社保",
            body="灵活就业人员可在户籍所在街道社保所办理参保登记。",
            category_id=cat.pk,
            keywords="社保 灵活就业",
        ),
        "heating": publish(
            editor,
            reviewer,
            title="供暖不热的报修渠道",
            questions="暖气不热怎么办",
            body="居民室温低于18度的，可联系供热单位报修。",
            keywords="供暖",
        ),
        "fund": publish(
            editor,
            reviewer,
            title="住房公积金提取指南",
            questions="租房怎么提取公积金",
            body="租房提取公积金可通过手机公积金App办理。",
            keywords="公积金提取",
        ),
        "body_only": publish(
            editor, reviewer, title="街道便民服务指南", body="街道便民服务中心可办理社保、医保、居住证等多项业务。"
        ),
    }


def test_every_edit_keeps_a_version_and_the_diff_shows_it(editor):
    article = services.article_save(by=editor, title="养老金认证", body="每年认证一次。")
    edited = services.article_save(
        by=editor, article=article, title="养老金资格认证", body="每年认证一次，可在App完成。", note="补充渠道"
    )
    assert edited.version == 2 and edited.versions.get().body == "每年认证一次。"
    diff = services.version_diff(edited, 1)
    assert "-# 养老金认证" in diff and "+# 养老金资格认证" in diff and "+每年认证一次，可在App完成。" in diff
    assert (
        services.article_save(
            by=editor, article=edited, title="养老金资格认证", body="每年认证一次，可在App完成。"
        ).version
        == 2
    )  # nothing changed, no version
    page = Client()
    page.force_login(editor)
    assert "养老金资格认证" in page.get(f"/knowledge/articles/{edited.pk}/versions/1/").content.decode()


def test_review_workflow_and_who_may_do_what(editor, reviewer, agent, admin_user):
    article = services.article_save(by=editor, title="新生儿落户", body="出生一个月内办理。")
    with pytest.raises(Forbidden):
        services.article_save(by=agent, article=article, title="x", body="y")
    with pytest.raises(StateConflict):
        services.article_publish(article=article, by=reviewer)  # a draft is not published without review
    services.article_submit(article=article, by=editor)
    with pytest.raises(Forbidden):
        services.article_publish(article=article, by=editor)  # not one's own submission
    sent_back = services.article_send_back(article=article, by=reviewer, note="补充所需材料")
    assert sent_back.status == "draft"
    services.article_submit(article=article, by=editor)
    assert services.article_publish(article=article, by=reviewer).status == "published"
    # Editing a published article takes it back to draft until reviewed again.
    assert (
        services.article_save(by=editor, article=article, title="新生儿落户", body="出生一个月内到派出所办理。").status
        == "draft"
    )
    services.article_submit(article=article, by=editor)
    assert services.article_publish(article=article, by=admin_user).status == "published"  # an admin may
    assert services.article_withdraw(article=article, by=reviewer).status == "withdrawn"
    assert list(article.events.values_list("kind", flat=True))[:3] == ["withdrawn", "published", "submitted"]


def test_the_daily_job_expires_articles_past_their_date(editor, reviewer):
    from knowledge_base.tasks import expire_articles

    today = timezone.localdate()
    old = publish(editor, reviewer, title="旧政策", body="已废止。", valid_until=today - dt.timedelta(days=1))
    soon = publish(editor, reviewer, title="即将到期", body="月底到期。", valid_until=today + dt.timedelta(days=10))
    result = expire_articles.apply().get()
    assert result == {"expired": 1, "expiring_soon": 1}
    assert Article.objects.get(pk=old.pk).status == "expired"
    assert Article.objects.get(pk=soon.pk).status == "published"
    assert old.events.filter(kind="expired").count() == 1


def test_search_finds_two_and_four_character_terms_and_question_variants(corpus):
    assert search("社保")[0].article == corpus["social"]
    assert search("供暖不热")[0].article == corpus["heating"]
    assert search("公积金提取")[0].article == corpus["fund"]
    assert search("暖气不热怎么办")[0].article == corpus["heating"]  # a question variant
    assert search("我想问一下租房怎么提取公积金")[0].article == corpus["fund"]
    assert "<mark>" in str(search("社保")[0].title_html)


def test_a_title_match_ranks_above_a_body_match(corpus):
    ranked = [hit.article for hit in search("社保")]
    assert ranked.index(corpus["social"]) < ranked.index(corpus["body_only"])


def test_drafts_withdrawn_and_expired_articles_are_hidden(corpus, editor, reviewer):
    services.article_save(by=editor, title="社保草稿", body="尚未发布的社保说明。")
    expired = publish(
        editor,
        reviewer,
        title="社保旧规定",
        body="旧的社保规定。",
        valid_until=timezone.localdate() - dt.timedelta(days=2),
    )
    services.article_withdraw(article=corpus["body_only"], by=editor)
    titles = {hit.article.title for hit in search("社保", limit=50)}
    assert titles == {"灵活就业人员社保缴纳办法"}
    assert expired.title not in titles


def test_one_character_query_is_found_through_the_index(corpus):
    assert corpus["heating"] in [hit.article for hit in search("暖")]


def test_the_workbench_panel_suggests_and_answers_a_consultation_counting_the_use(corpus, agent):
    client = Client()
    client.force_login(agent)
    client.post("/knowledge/suggestions/", {"kb_q": "供暖", "content": ""})  # typed on the way: not logged
    panel = client.post(
        "/knowledge/suggestions/", {"kb_q": "供暖不热", "content": "", "kb_enter": "1"}
    ).content.decode()
    assert f'name="answer_with" value="{corpus["heating"].pk}"' in panel
    call = {
        "caller_phone": "13912340000",
        "caller_name": "赵",
        "demand_type": "consult",
        "category": "020101 供暖不热",
        "content": "咨询暖气什么时候开始供",
        "address": "",
        "urgency": "normal",
        "idempotency_key": "kb-1",
        "answer_with": str(corpus["heating"].pk),
    }
    response = client.post("/dispatch/desk/", call)
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.disposition == "answered" and demand.answer_article == corpus["heating"]
    assert demand.demand_type == "consult"
    assert Article.objects.get(pk=corpus["heating"].pk).answered_count == 1
    assert SearchLog.objects.get().query == "供暖不热"
    assert SearchLog.objects.get().clicked == corpus["heating"]


@pytest.mark.parametrize("demand_type", ["complaint", "help", "report"])
def test_the_panel_never_closes_a_complaint_as_answered_on_the_call(corpus, agent, demand_type):
    """The type the agent chose stays: a complaint, a request for help or a report is not answered on the
    call from the knowledge panel (it would escape dispatch, callback and assessment); the form says why
    and keeps what was typed."""
    client = Client()
    client.force_login(agent)
    response = client.post(
        "/dispatch/desk/",
        {
            "caller_phone": "13912340000",
            "caller_name": "赵",
            "demand_type": demand_type,
            "category": "020101 供暖不热",
            "content": "家里暖气不热，已经三天了",
            "address": "",
            "urgency": "normal",
            "idempotency_key": f"kb-{demand_type}",
            "answer_with": str(corpus["heating"].pk),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only a consultation can be answered on the call" in page or "只有咨询" in page
    assert "家里暖气不热，已经三天了" in page and f'value="{demand_type}" selected' in page
    assert not Demand.objects.exists()
    assert Article.objects.get(pk=corpus["heating"].pk).answered_count == 0


def test_not_helpful_and_searches_without_answers_reach_the_editors(corpus, agent, editor):
    client = Client()
    client.force_login(agent)
    client.post(f"/knowledge/articles/{corpus['fund'].pk}/not-helpful/", {"query": "公积金贷款"})
    client.post("/knowledge/suggestions/", {"kb_q": "宠物医院", "kb_enter": "1"})
    assert Article.objects.get(pk=corpus["fund"].pk).not_helpful_count == 1
    manage = Client()
    manage.force_login(editor)
    html = manage.get("/knowledge/manage/").content.decode()
    assert "宠物医院" in html and corpus["fund"].title in html


def test_excel_export_then_import_edits_and_creates(corpus, editor):
    import io

    from openpyxl import load_workbook

    data = services.articles_export(Article.objects.filter(pk=corpus["fund"].pk))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert [c.value for c in sheet[1]][:4] == ["id", "title", "questions", "body"]
    sheet["D2"] = "租房提取公积金每季度可办理一次。"
    sheet.append([None, "新导入的知识", "", "导入的答复内容。", "060101", "", "", "", "", None, None, "", "", None])
    sheet.append([None, "", "", "", "", "", "", "", "", None, None, "", "", None])  # empty: skipped
    sheet.append([None, "坏行", "", "内容", "999999", "", "", "", "", None, None, "", "", None])
    out = io.BytesIO()
    book.save(out)
    result = services.articles_import(data=out.getvalue(), by=editor)
    assert (result.created, result.updated) == (1, 1)
    assert len(result.errors) == 1 and "999999" in result.errors[0]
    fund = Article.objects.get(pk=corpus["fund"].pk)
    assert fund.body == "租房提取公积金每季度可办理一次。" and fund.version == 2
    assert Article.objects.get(title="新导入的知识").status == "draft"


def test_api_search_and_detail(api, agent, corpus):
    client = api.as_user(agent)
    response = client.get("/api/v1/knowledge/articles/", {"q": "公积金提取"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["id"] == corpus["fund"].pk and body["next"] is None
    assert "<mark>" in body["results"][0]["title_html"]
    assert client.get("/api/v1/knowledge/articles/").json()["code"] == "q_required"
    assert client.get(f"/api/v1/knowledge/articles/{corpus['fund'].pk}/").json()["title"] == "住房公积金提取指南"
    draft = Article.objects.create(title="草稿", body="x")
    assert client.get(f"/api/v1/knowledge/articles/{draft.pk}/").status_code == 404


def test_generated_articles_are_deterministic_and_searchable(reference):
    from demo.knowledge import generate_articles

    wipe(Article.objects.all())
    generate_articles(count=40, seed=7)
    first = list(Article.objects.order_by("id").values_list("title", flat=True))
    wipe(Article.objects.all())
    generate_articles(count=40, seed=7)
    assert list(Article.objects.order_by("id").values_list("title", flat=True)) == first
    # The loader analyzed what it wrote: the planner's row estimate is the table's real size.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'knowledge_base_article'")
        assert cursor.fetchone()[0] == Article.objects.count()
    published = Article.objects.filter(status="published").first()
    topic = published.category.name
    assert published in [hit.article for hit in search(topic, limit=50)]


# --- after the review -------------------------------------------------------------------------------


def test_nul_characters_and_absurd_pages_are_no_error(api, agent, corpus):
    client = api.as_user(agent)
    # A NUL character is refused with its reason (hotline.core.middleware.InputGuardMiddleware), not a 500.
    refused = client.get("/api/v1/knowledge/articles/", {"q": "社保\x00供暖"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_input"
    assert client.get("/api/v1/knowledge/articles/", {"q": "社保", "page": 10**18}).json()["results"] == []
    page = Client()
    page.force_login(agent)
    assert page.get("/knowledge/", {"q": "社保", "page": 10**18}).status_code == 200
    assert page.get("/knowledge/", {"q": "社保\x00"}).status_code == 400


def test_highlighting_escapes_and_never_breaks_an_entity(corpus, editor, reviewer):
    publish(editor, reviewer, title="<b>lt</b> 测试 & 符号", body="x")
    hit = search("lt 测试")[0]
    assert str(hit.title_html) == "&lt;b&gt;<mark>lt</mark>&lt;/b&gt; <mark>测试</mark> &amp; 符号"


def test_import_checks_rows_like_the_edit_page(editor):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(services.COLUMNS)
    sheet.append([None, "恶意链接", "", "正文", "", "", "", "", "javascript:alert(1)", None, None, "", "", None])
    sheet.append([None, "长" * 300, "", "正文", "", "", "", "", "", None, None, "", "", None])
    sheet.append([None, "正常", "", "正文", "", "D06", "", "", "https://rsj.beijing.gov.cn/", None, None, "", "", None])
    out = io.BytesIO()
    book.save(out)
    result = services.articles_import(data=out.getvalue(), by=editor)
    assert result.created == 1 and len(result.errors) == 2
    assert not Article.objects.filter(title="恶意链接").exists()
    assert Article.objects.get(title="正常").owner.code == "D06"
    with pytest.raises(Exception) as bad:
        services.articles_import(data=b"not a workbook", by=editor)
    assert getattr(bad.value, "code", "") == "invalid_workbook"


def test_an_expired_article_comes_back_through_an_edit_and_review(editor, reviewer):
    old = publish(
        editor, reviewer, title="旧政策", body="已过期。", valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    services.articles_expire()
    edited = services.article_save(
        by=editor,
        article=Article.objects.get(pk=old.pk),
        title="旧政策",
        body="已延期。",
        valid_until=timezone.localdate() + dt.timedelta(days=90),
    )
    assert edited.status == "draft"
    services.article_submit(article=edited, by=editor)
    assert services.article_publish(article=edited, by=reviewer).status == "published"


def test_an_article_not_valid_today_cannot_answer_a_call(api, agent, editor, reviewer):
    future = publish(
        editor, reviewer, title="明年的政策", body="明年施行。", valid_from=timezone.localdate() + dt.timedelta(days=30)
    )
    response = api.as_user(agent).post(
        "/api/v1/demands/",
        {
            "demand_type": "consult",
            "category": "060101",
            "content": "咨询",
            "caller_phone": "13900000000",
            "answer_article": future.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "answer_article" in response.json()["errors"]


def test_agents_cannot_change_articles_over_http(agent, corpus):
    client = Client()
    client.force_login(agent)
    assert client.post(f"/knowledge/articles/{corpus['fund'].pk}/withdraw/").status_code == 403
    assert client.get("/knowledge/manage/export.xlsx").status_code == 403
    assert Article.objects.get(pk=corpus["fund"].pk).status == "published"
