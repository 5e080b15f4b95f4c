from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardPage.as_view(), name="dashboard"),
    path("list/", views.ReportListPage.as_view(), name="list"),
    path("<int:pk>/", views.ReportPage.as_view(), name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/instruct/", views.instruct, name="instruct"),
    path("<int:pk>/cases/<int:row>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/export.pdf", views.export, {"fmt": "pdf"}, name="export_pdf"),
    path("<int:pk>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
]
