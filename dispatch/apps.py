from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self):
        from hotline.core import reference, setup

        from . import seed, selectors

        catalogue = ("dispatch.CatalogueVersion", "dispatch.CatalogueRule")
        reference.register("catalogue", selectors.reference_catalogue, watched=catalogue)
        reference.register("rules", selectors.reference_rules, watched=catalogue)
        reference.register("policies", selectors.reference_policies, watched=("dispatch.TimeLimitPolicy",))
        reference.register(
            "leader_sign_levels", selectors.reference_leader_sign_levels, watched=("dispatch.LeaderSignPolicy",)
        )
        setup.register("dispatch", seed.reference_seed)
