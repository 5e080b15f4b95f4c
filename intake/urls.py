from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("street/", views.street_panel, name="street"),
    path("classifier/", views.ClassifierPage.as_view(), name="classifier"),
    path("templates/", views.RecordTemplatesPage.as_view(), name="templates"),
    path("templates/<int:pk>/", views.RecordTemplatesPage.as_view(), name="template"),
]
