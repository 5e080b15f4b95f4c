from django.urls import path

from . import views

urlpatterns = [
    path("intake/classifier/", views.classifier, name="api-classifier"),
    path("intake/demands/<int:pk>/category/", views.categorise, name="api-demand-category"),
]
