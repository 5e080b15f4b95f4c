from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """主动治理 (proactive governance): finding the problems the calls point at before they are called in
    again — hotspots, repeated callers — and, next, 批示 and 督办单 that are answered and closed. Above
    feedback (it reads how orders were answered), beside assessment, below reports (which print it)."""

    name = "governance"
    verbose_name = _("Proactive governance")

    def ready(self):
        from hotline.core import credits

        from .selectors import action_credits, topic_credits

        # What the monthly assessment counts of 主动治理 (it may not import this app: same floor).
        credits.register("proactive_action", action_credits)
        credits.register("governance_topic", topic_credits)
