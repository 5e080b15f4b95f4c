"""Assessment (压力感知): the month's ranking table."""

from hotline.core.choices import UnitLevel
from hotline.core.models import Unit
from hotline.core.navigation import WORKBENCH_RANKINGS
from hotline.core.views import WorkbenchView

from .models import Snapshot, Tier

TIER_COLOURS = {
    Tier.GOVERNANCE: "warning", Tier.ADVANCED: "success", Tier.IMPROVED: "info", Tier.RECTIFY: "danger",
    Tier.ORDINARY: "light", Tier.INSUFFICIENT: "secondary",
}
LEVELS = [UnitLevel.STREET, UnitLevel.DISTRICT_DEPARTMENT, UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE,
          UnitLevel.DISTRICT]


class RankingsPage(WorkbenchView):
    """Monthly rankings of streets, departments and districts (published to every unit)."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/rankings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshots = list(Snapshot.objects.filter(is_current=True).order_by("-period")[:24])
        wanted = self.request.GET.get("period", "")
        snapshot = next((s for s in snapshots if f"{s.period:%Y-%m}" == wanted), snapshots[0] if snapshots else None)
        level = self.request.GET.get("level", UnitLevel.STREET)
        level = level if level in LEVELS else UnitLevel.STREET
        district = self.request.GET.get("district", "")
        rows = []
        if snapshot:
            qs = snapshot.units.filter(level=level).select_related("unit", "unit__parent")
            if district and level == UnitLevel.STREET:
                qs = qs.filter(unit__parent__code=district)
            rows = [(r, TIER_COLOURS.get(r.tier, "light")) for r in qs.order_by("rank", "-score", "unit__code")]
        context.update(
            snapshots=snapshots, snapshot=snapshot, rows=rows, level=level, district=district,
            levels=[(v, UnitLevel(v).label) for v in LEVELS],
            districts=Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"),
        )
        return context
