from django.urls import path

from . import views

urlpatterns = [path("assessment/rankings/", views.RankingsView.as_view(), name="api-rankings")]
