from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from dispatch.api import parts

        from . import actions
        from .api.serializers import ORDER_PARTS

        actions.register()  # the reply, its check and 重办 on the work order's page (dispatch.actions)
        parts.register(*ORDER_PARTS)  # the reply and the citizen's evaluation in the order's API answer
