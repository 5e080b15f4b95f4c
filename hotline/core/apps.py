from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared core: organisation units (承办单位), users and roles, working-day calendar, categories."""

    name = "hotline.core"
    label = "core"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from . import reference

        reference.connect()
