from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessment import views as assessment_views
from hotline.core import views as core_views
from public import views as public_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", core_views.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", core_views.otp_setup, name="otp-setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("system/", core_views.SystemView.as_view(), name="system"),
    path("notifications/", core_views.InboxPage.as_view(), name="inbox"),
    path("notifications/read/", core_views.notifications_read, name="inbox-read"),
    path("notifications/<int:pk>/open/", core_views.notification_open, name="notification-open"),
    path("intake/", include("intake.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("feedback/", include("feedback.urls")),
    path("assessment/", include("assessment.urls")),
    path("reports/", include("reports.urls")),
    path("governance/", include("governance.urls")),
    path("knowledge/", include("knowledge_base.urls")),
    path("api/v1/", include("hotline.core.api.urls")),
    path("api/v1/", include("intake.api.urls")),
    path("api/v1/", include("dispatch.api.urls")),
    path("api/v1/", include("feedback.api.urls")),
    path("api/v1/", include("knowledge_base.api.urls")),
    path("api/v1/", include("assessment.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("open311/v2/", include("public.open311.urls")),
    path("portal/", include("public.urls")),
    path("public/rankings/", assessment_views.PublicRankingsPage.as_view(), name="public-rankings"),
    path("e/<str:token>/", public_views.evaluate, name="evaluate"),
    path("admin/", admin.site.urls),
]

handler403 = "hotline.core.views.permission_denied"
handler404 = "hotline.core.views.page_not_found"
handler500 = "hotline.core.views.server_error"
