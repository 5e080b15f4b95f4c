from django.urls import path

from . import consequences, instructions, views

urlpatterns = [
    path("assessment/rankings/", views.RankingsView.as_view(), name="api-rankings"),
    path("public/rankings/", views.PublicRankingsView.as_view(), name="api-public-rankings"),
    path("assessment/rectifications/", consequences.rectifications, name="api-rectifications"),
    path("assessment/rectifications/<int:pk>/submit/", consequences.submit, name="api-rectification-submit"),
    path("assessment/rectifications/<int:pk>/review/", consequences.review, name="api-rectification-review"),
    path("assessment/guidance/", consequences.guidance, name="api-guidance"),
    path("assessment/referrals/", consequences.referrals, name="api-referrals"),
    path("instructions/", instructions.InstructionListView.as_view(), name="api-instructions"),
    path("instructions/<int:pk>/", instructions.InstructionDetailView.as_view(), name="api-instruction"),
    path("instructions/<int:pk>/answer/", instructions.answer, name="api-instruction-answer"),
    path("instructions/<int:pk>/relay/", instructions.relay, name="api-instruction-relay"),
    path("instructions/<int:pk>/return/", instructions.return_, name="api-instruction-return"),
    path("instructions/<int:pk>/close/", instructions.close, name="api-instruction-close"),
]
