from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared core: organisation units (承办单位), users and roles, working-day calendar, categories."""

    name = "hotline.core"
    label = "core"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from django.core import checks

        from . import pii, reference

        reference.connect()

        @checks.register(checks.Tags.security)
        def pii_keys(app_configs, **kwargs):
            problem = pii.configured()
            return (
                [
                    checks.Error(
                        problem,
                        id="hotline.E001",
                        hint="Set HOTLINE_PII_KEYS and HOTLINE_PII_INDEX_KEY (docs/reliability.md, Keys).",
                    )
                ]
                if problem
                else []
            )

    def warm_up(self):
        # The pinyin dictionary (≈ 0.3 s, the first picker of a process that resolves initials).
        from .pinyin import initial_sets

        initial_sets("东华门街道")
