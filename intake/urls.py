from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.WorkbenchPage.as_view(), name="workbench"),
    path("caller/", views.caller_panel, name="caller"),
    path("street/", views.street_panel, name="street"),
    path("duplicates/", views.duplicates_panel, name="duplicates"),
    path("demands/<int:pk>/reveal/", views.reveal, name="reveal"),
]
