from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="api-reports"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="api-report"),
    path("reports/<int:pk>/export.pdf", views.ReportPdfView.as_view(), name="api-report-pdf"),
    path("reports/<int:pk>/export.xlsx", views.ReportXlsxView.as_view(), name="api-report-xlsx"),
]
