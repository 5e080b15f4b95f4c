from django.urls import path

from . import views

ACTIONS = {
    "sign": views.sign,
    "start": views.start,
    "return": views.return_,
    "request-extension": views.request_extension,
    "approve-extension": views.approve_extension,
    "reject-extension": views.reject_extension,
    "reject-return": views.reject_return,
    "approve-return": views.approve_return,
    "refuse-return": views.refuse_return,
    "redispatch": views.redispatch,
    "long-pending": views.long_pending,
    "approve-long-pending": views.approve_long_pending,
    "reject-long-pending": views.reject_long_pending,
    "progress": views.progress,
    "acknowledge-urge": views.acknowledge_urge,
    "whistle": views.whistle_blow,
    "on-site": views.on_site,
    "confirm-whistle": views.confirm_whistle,
    "decline-whistle": views.decline_whistle,
    "joint-record": views.joint_record,
}

urlpatterns = [
    path("intake/classify/", views.classify, name="api-classify"),
    path("demands/", views.DemandCreateView.as_view(), name="api-demands"),
    path("demands/<int:pk>/", views.DemandDetailView.as_view(), name="api-demand"),
    path("demands/<int:pk>/reveal/", views.DemandRevealView.as_view(), name="api-demand-reveal"),
    path("demands/<int:pk>/dispatch/", views.DemandDispatchView.as_view(), name="api-demand-dispatch"),
    path("demands/<int:pk>/history/", views.DemandHistoryView.as_view(), name="api-demand-history"),
    path("demands/<int:pk>/verify-history/", views.DemandHistoryVerifyView.as_view(), name="api-demand-verify-history"),
    path("supervision-orders/", views.SupervisionOrderListView.as_view(), name="api-supervision-orders"),
    path("supervision-orders/<int:pk>/", views.SupervisionOrderDetailView.as_view(), name="api-supervision-order"),
    path("supervision-orders/<int:pk>/sign/", views.supervision_sign, name="api-supervision-order-sign"),
    path("supervision-orders/<int:pk>/answer/", views.supervision_answer, name="api-supervision-order-answer"),
    path("supervision-orders/<int:pk>/verify/", views.supervision_verify, name="api-supervision-order-verify"),
    path("supervision-orders/<int:pk>/reissue/", views.supervision_reissue, name="api-supervision-order-reissue"),
    path("whistles/", views.WhistleListView.as_view(), name="api-whistles"),
    path("whistles/<int:pk>/", views.WhistleDetailView.as_view(), name="api-whistle"),
    path("whistles/<int:pk>/confirm/", views.whistle_confirm, name="api-whistle-confirm"),
    path("whistles/<int:pk>/decline/", views.whistle_decline, name="api-whistle-decline"),
    path("whistles/<int:pk>/joint-records/", views.whistle_joint_record, name="api-whistle-joint-records"),
    path("work-orders/", views.WorkOrderListView.as_view(), name="api-work-orders"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="api-work-order"),
] + [path(f"work-orders/<int:pk>/{name}/", view, name=f"api-work-order-{name}") for name, view in ACTIONS.items()]
