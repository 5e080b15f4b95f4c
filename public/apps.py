from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """What citizens and partners reach without an account: the citizen portal (submit a demand, look
    up its status) and Open311 GeoReport v2 (`public.open311`). The top floor beside demo: it calls the
    services and selectors of every app below and none imports it."""

    name = "public"
    verbose_name = _("Citizens and partners")
