from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("", views.DispatcherPage.as_view(), name="dispatcher"),
    path("unit/", views.UnitQueuePage.as_view(), name="unit"),
    path("supervision/", views.SupervisionPage.as_view(), name="supervision"),
]
