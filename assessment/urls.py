from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("rankings/", views.RankingsPage.as_view(), name="rankings"),
]
