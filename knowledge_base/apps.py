from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeBaseConfig(AppConfig):
    name = "knowledge_base"
    verbose_name = _("Knowledge base")

    def warm_up(self):
        """Load jieba's dictionary and the hotline user dictionary (≈ 1 s) before the first search."""
        from .segment import words

        words("暖气不热")
