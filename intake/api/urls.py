from django.urls import path

from . import views

urlpatterns = [
    path("demands/", views.DemandCreateView.as_view(), name="api-demands"),
    path("demands/<int:pk>/", views.DemandDetailView.as_view(), name="api-demand"),
    path("demands/<int:pk>/reveal/", views.DemandRevealView.as_view(), name="api-demand-reveal"),
    path("demands/<int:pk>/dispatch/", views.DemandDispatchView.as_view(), name="api-demand-dispatch"),
    path("demands/<int:pk>/history/", views.DemandHistoryView.as_view(), name="api-demand-history"),
    path("demands/<int:pk>/verify-history/", views.DemandHistoryVerifyView.as_view(), name="api-demand-verify-history"),
]
