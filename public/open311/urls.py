from django.urls import re_path

from . import views

app_name = "open311"

# Every resource ends in its format (services.json, requests/2026112300001.xml); an unknown format
# reaches the view and is answered 404 in the spec's error format.
FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(rf"^services{FORMAT}", views.ServiceListView.as_view(), name="services"),
    re_path(rf"^services/(?P<service_code>[^/]+?){FORMAT}", views.ServiceDefinitionView.as_view(), name="service"),
    re_path(rf"^requests{FORMAT}", views.RequestsView.as_view(), name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[^/]+?){FORMAT}", views.RequestView.as_view(), name="request"),
    re_path(r"", views.not_found),
]
