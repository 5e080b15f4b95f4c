from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("", views.DispatcherPage.as_view(), name="dispatcher"),
    path("demands/<int:pk>/dispatch/", views.demand_dispatch_view, name="demand-dispatch"),
    path("unit/", views.UnitQueuePage.as_view(), name="unit"),
    path("orders/<int:pk>/", views.OrderPage.as_view(), name="order"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order-action"),
    path("supervision/", views.SupervisionPage.as_view(), name="supervision"),
]
