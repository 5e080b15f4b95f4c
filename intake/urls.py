from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("street/", views.street_panel, name="street"),
]
