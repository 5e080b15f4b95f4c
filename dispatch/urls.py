from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("", views.DispatcherPage.as_view(), name="dispatcher"),
    path("desk/", views.DeskPage.as_view(), name="desk"),
    path("desk/caller/", views.caller_panel, name="caller"),
    path("desk/duplicates/", views.duplicates_panel, name="duplicates"),
    path("desk/suggestions/", views.suggestions_panel, name="suggestions"),
    path("demands/<int:pk>/", views.DemandPage.as_view(), name="demand"),
    path("demands/<int:pk>/photos/<int:attachment>/", views.demand_attachment, name="demand-attachment"),
    path("demands/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("demands/<int:pk>/dispatch/", views.demand_dispatch_view, name="demand-dispatch"),
    path("demands/<int:pk>/categorise/", views.demand_categorise_view, name="demand-categorise"),
    path("unit/", views.UnitQueuePage.as_view(), name="unit"),
    path("unit/sign/", views.batch_sign, name="batch-sign"),
    path("orders/<int:pk>/", views.OrderPage.as_view(), name="order"),
    path("orders/<int:pk>/files/<int:attachment>/", views.order_attachment, name="order-attachment"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order-action"),
    path("supervision/", views.SupervisionPage.as_view(), name="supervision"),
    path("calendar/", views.CalendarPage.as_view(), name="calendar"),
    path("calendar/progress/", views.calendar_progress, name="calendar-progress"),
    path("search/", views.SearchPage.as_view(), name="search"),
    path("supervision/<int:pk>/", views.SupervisionOrderPage.as_view(), name="supervision-order"),
    path("supervision/<int:pk>/<str:step>/", views.supervision_step, name="supervision-step"),
]
