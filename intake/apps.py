import logging

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")

    def warm_up(self):
        """The active smart-dispatch model read from storage before the first call asks for suggestions."""
        from .classifier import warm

        try:
            warm()
        except Exception:  # no database yet (first start), or none allowed here: the first call loads it
            logging.getLogger(__name__).info("The classifier was not warmed up", exc_info=True)

    def ready(self):
        from hotline.core import setup
        from hotline.core.models import Unit

        from . import geo
        from .models import Place
        from .services import places_load

        setup.register("intake", lambda: f"gazetteer places: {places_load()}")

        # A changed place or unit rebuilds this process's gazetteer (others within a minute).
        for model in (Place, Unit):
            post_save.connect(geo.invalidate, sender=model, dispatch_uid=f"geo-{model.__name__}-save")
            post_delete.connect(geo.invalidate, sender=model, dispatch_uid=f"geo-{model.__name__}-delete")
