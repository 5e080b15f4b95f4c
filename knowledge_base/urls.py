from django.urls import path

from . import views

app_name = "knowledge_base"

urlpatterns = [
    path("", views.SearchPage.as_view(), name="search"),
    path("articles/<int:pk>/", views.ArticlePage.as_view(), name="article"),
    path("articles/<int:pk>/edit/", views.EditPage.as_view(), name="edit"),
    path("articles/<int:pk>/versions/<int:number>/", views.DiffPage.as_view(), name="diff"),
    path("articles/<int:pk>/not-helpful/", views.not_helpful, name="not-helpful"),
    path("articles/<int:pk>/<str:action>/", views.article_action, name="action"),
    path("manage/", views.ManagePage.as_view(), name="manage"),
    path("manage/new/", views.EditPage.as_view(), name="new"),
    path("manage/export.xlsx", views.export_xlsx, name="export"),
    path("manage/import/", views.import_xlsx, name="import"),
    path("suggestions/", views.suggestions, name="suggestions"),
]
