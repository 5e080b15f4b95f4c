from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("topics/", views.TopicsPage.as_view(), name="topics"),
    path("consultations/", views.ConsultationsPage.as_view(), name="consultations"),
    path("actions/", views.ActionsPage.as_view(), name="actions"),
    path("actions/<int:pk>/", views.ActionPage.as_view(), name="action"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("streets/<str:code>/", views.StreetPage.as_view(), name="street"),
    path("topics/<int:pk>/", views.TopicPage.as_view(), name="topic"),
    path("topics/<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone-done"),
    path("topics/<int:pk>/<str:step>/", views.topic_step, name="topic-step"),
]
