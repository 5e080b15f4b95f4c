from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("units/", views.UnitListView.as_view(), name="api-units"),
    path("units/<str:code>/", views.UnitDetailView.as_view(), name="api-unit"),
    path("categories/", views.CategoryListView.as_view(), name="api-categories"),
    path("users/", views.UserListView.as_view(), name="api-users"),
    path("notifications/", views.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="api-notification-read"),
]
