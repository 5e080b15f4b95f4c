from django.urls import path

from . import views

urlpatterns = [
    path("assessment/rankings/", views.RankingsView.as_view(), name="api-rankings"),
    path("public/rankings/", views.PublicRankingsView.as_view(), name="api-public-rankings"),
]
