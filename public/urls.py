from django.urls import path

from . import views as portal

app_name = "portal"

urlpatterns = [
    path("", portal.submit, name="submit"),
    path("status/", portal.status, name="status"),
]
