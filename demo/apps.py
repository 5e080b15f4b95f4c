from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo and benchmark data: `seeddemo`, `generateorders`, `generateknowledge` and their generators.
    The top floor: it calls every app's services, and no domain code imports it."""

    name = "demo"
    verbose_name = _("Demo data")
