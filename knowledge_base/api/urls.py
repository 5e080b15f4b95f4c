from django.urls import path

from . import views

urlpatterns = [
    path("knowledge/articles/", views.ArticleSearchView.as_view(), name="api-kb-articles"),
    path("knowledge/articles/<int:pk>/", views.ArticleDetailView.as_view(), name="api-kb-article"),
]
