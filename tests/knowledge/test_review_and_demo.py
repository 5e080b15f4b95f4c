"""The knowledge base's own review (issue 22, point 17): the editor who submitted is not offered 发布 (it
would be refused), another editor is; the demo has that second editor (tests/core/test_seeddemo.py); generated articles are coherent —
a nuisance's article is owned by the department of its field and never lists application materials."""

from django.test import Client

from demo.knowledge import HANDLING_GROUPS, MATERIALS, generate_articles, owner_of
from hotline.core.models import Unit
from knowledge_base.models import Article
from knowledge_base.services import article_submit
from tests.factories import wipe
from tests.knowledge.test_knowledge import editor, reviewer  # noqa: F401 - fixtures


def page(user, article) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/knowledge/articles/{article.pk}/").content.decode()


def test_only_another_editor_is_offered_to_publish(editor, reviewer):  # noqa: F811
    article = Article.objects.create(title="夜间施工噪声怎么投诉", body="由城管执法部门处置。", created_by=editor)
    article_submit(article=article, by=editor)
    mine = page(editor, article)
    assert "/publish/" not in mine and 'id="awaiting-review"' in mine
    theirs = page(reviewer, article)
    assert "/publish/" in theirs and "/send_back/" in theirs


def test_generated_articles_are_coherent(reference):
    wipe(Article.objects.all())
    generate_articles(count=150, seed=11)
    owners = {u.code: u for u in Unit.objects.filter(level__in=["department", "enterprise"])}
    handling = 0
    for article in Article.objects.select_related("category__parent", "owner"):
        assert article.owner == owner_of(article.category, owners)
        if article.category.code[:2] in HANDLING_GROUPS:
            handling += 1
            assert not any(m in article.body for m in MATERIALS), article.body
            assert "申请人需提供" not in article.body
    assert handling > 20
    noise = [a for a in Article.objects.select_related("owner") if a.category.code.startswith("0105")]
    assert noise and all(a.owner.code == "D22" for a in noise)  # 夜间施工 → 市城管执法局, not the telecoms bureau
