from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from . import actions

        actions.register()  # 批示 and exemptions on the work order's page (dispatch.actions)
