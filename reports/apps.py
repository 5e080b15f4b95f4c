from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def warm_up(self):
        """Register the CJK font of the report charts (hotline.warmup)."""
        try:
            from .svg import register_cjk_font
        except ImportError:  # matplotlib missing: PDFs are unavailable anyway
            return
        register_cjk_font()
