from django.urls import path

from . import views

urlpatterns = [
    path("governance/topics/", views.TopicListView.as_view(), name="api-topics"),
    path("governance/consultations/", views.ConsultationListView.as_view(), name="api-consultations"),
    path("governance/topics/<int:pk>/", views.TopicDetailView.as_view(), name="api-topic"),
    path("governance/topics/<int:pk>/demands/", views.TopicDemandsView.as_view(), name="api-topic-demands"),
    path("governance/topics/<int:pk>/approve/", views.approve, name="api-topic-approve"),
    path("governance/topics/<int:pk>/dismiss/", views.dismiss, name="api-topic-dismiss"),
    path("governance/topics/<int:pk>/start/", views.start, name="api-topic-start"),
    path("governance/topics/<int:pk>/finish/", views.finish, name="api-topic-finish"),
    path("governance/topics/<int:pk>/evaluate/", views.evaluate, name="api-topic-evaluate"),
    path("governance/topics/<int:pk>/milestones/", views.milestone_add, name="api-topic-milestones"),
    path("governance/topics/<int:pk>/progress/", views.progress, name="api-topic-progress"),
    path("governance/actions/", views.ActionListView.as_view(), name="api-actions"),
    path("governance/actions/<int:pk>/", views.ActionDetailView.as_view(), name="api-action"),
    path("governance/actions/<int:pk>/decide/", views.action_decide, name="api-action-decide"),
    path("governance/streets/<str:code>/", views.street, name="api-street-governance"),
    path("governance/progress/", views.month_progress, name="api-governance-progress"),
    path(
        "governance/topics/<int:pk>/milestones/<int:milestone_pk>/done/",
        views.milestone_done,
        name="api-topic-milestone-done",
    ),
]
