from django.urls import path

from . import views

urlpatterns = [
    path("governance/topics/", views.TopicListView.as_view(), name="api-topics"),
    path("governance/topics/<int:pk>/", views.TopicDetailView.as_view(), name="api-topic"),
    path("governance/topics/<int:pk>/demands/", views.TopicDemandsView.as_view(), name="api-topic-demands"),
    path("governance/topics/<int:pk>/approve/", views.approve, name="api-topic-approve"),
    path("governance/topics/<int:pk>/dismiss/", views.dismiss, name="api-topic-dismiss"),
]
