"""Knowledge-base API: search (`?q=`, best first) and article detail."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response
from rest_framework.reverse import reverse

from hotline.core.api.permissions import allowed
from hotline.core.exceptions import InvalidInput
from hotline.core.models import Category

from ..models import Article
from ..search import search, searchable
from ..services import is_editor, search_logged

PAGE_SIZE = 20


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "questions",
            "body",
            "category",
            "owner",
            "source_title",
            "source_number",
            "source_url",
            "valid_from",
            "valid_until",
            "keywords",
            "status",
            "version",
            "answered_count",
            "not_helpful_count",
            "updated_at",
        ]

    def get_questions(self, article) -> list[str]:
        return article.question_list()


class SearchHitSerializer(ArticleSerializer):
    score = serializers.FloatField()
    title_html = serializers.CharField()
    snippet_html = serializers.CharField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "score", "title_html", "snippet_html"]


class SearchPageSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class ArticleSearchView(views.APIView):
    """知识库检索: published, valid articles for `q`, best first (title above questions above body),
    with the matched words highlighted in `title_html` and `snippet_html`."""

    permission_classes = [allowed("knowledge_base.read_articles")]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="2 or more characters, or a question"),
            OpenApiParameter("category", str, required=False, description="a level-3 matter category code"),
            OpenApiParameter("page", int, required=False),
        ],
        responses=SearchPageSerializer,
        operation_id="knowledge_articles_search",
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        if not q:
            raise InvalidInput("Give the search words in q.", code="q_required")
        if len(q) > 200:
            raise InvalidInput("q is longer than 200 characters.", code="q_too_long")
        try:
            page = max(1, int(request.query_params.get("page", 1)))
        except ValueError:
            raise InvalidInput("page must be a number.", code="invalid_page") from None
        category = None
        if request.query_params.get("category"):
            category = Category.objects.filter(code=request.query_params["category"]).first()
            if category is None:
                raise InvalidInput("Unknown category.", code="invalid_category")
        hits = search(q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, category=category)
        if page == 1:
            search_logged(query=q, by=request.user, results=len(hits))
        next_url = None
        if len(hits) > PAGE_SIZE:
            params = request.query_params.copy()
            params["page"] = page + 1
            next_url = request.build_absolute_uri(f"{reverse('api-kb-articles')}?{params.urlencode()}")
        hits = hits[:PAGE_SIZE]
        results = ArticleSerializer([hit.article for hit in hits], many=True).data
        for item, hit in zip(results, hits):
            item.update(score=round(hit.score, 4), title_html=str(hit.title_html), snippet_html=str(hit.snippet_html))
        return Response({"results": results, "next": next_url})


class ArticleDetailView(views.APIView):
    permission_classes = [allowed("knowledge_base.read_articles")]

    @extend_schema(responses=ArticleSerializer, operation_id="knowledge_article")
    def get(self, request, pk):
        qs = Article.objects.all() if is_editor(request.user) else searchable()
        article = get_object_or_404(qs.select_related("category", "owner"), pk=pk)
        return Response(ArticleSerializer(article).data)
