from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("callbacks/", views.CallbackWorklistPage.as_view(), name="callbacks"),
    path("callbacks/<int:pk>/", views.CallbackPage.as_view(), name="callback"),
]
