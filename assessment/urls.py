from django.urls import path

from . import consequence_views, views

app_name = "assessment"

urlpatterns = [
    path("rankings/", views.RankingsPage.as_view(), name="rankings"),
    path("rules/", views.RulesPage.as_view(), name="rules"),
    path("units/<str:code>/", views.ScorecardPage.as_view(), name="scorecard"),
    path("items/<int:pk>/appeal/", views.AppealPage.as_view(), name="appeal"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("review/", views.ReviewPage.as_view(), name="review"),
    path("consequences/", consequence_views.ConsequencesPage.as_view(), name="consequences"),
    path("rectifications/<int:pk>/", consequence_views.RectificationPage.as_view(), name="rectification"),
    path("rectifications/<int:pk>/<str:step>/", consequence_views.rectification_step, name="rectification-step"),
    path("guidance/<int:pk>/", consequence_views.GuidancePage.as_view(), name="guidance"),
    path("guidance/<int:pk>/<str:step>/", consequence_views.guidance_step, name="guidance-step"),
    path("referrals/<int:pk>/evidence.pdf", consequence_views.referral_evidence, name="referral-evidence"),
    path("instructions/", views.InstructionsPage.as_view(), name="instructions"),
    path("instructions/<int:pk>/", views.InstructionPage.as_view(), name="instruction"),
    path("instructions/<int:pk>/<str:action>/", views.instruction_action, name="instruction-action"),
    path("orders/<int:pk>/exemption/", views.exemption_propose, name="exemption-propose"),
    path("orders/<int:pk>/instruction/", views.instruct_order, name="instruct-order"),
]
