"""Assessment (压力感知): browser views."""

from hotline.core.navigation import WORKBENCH_RANKINGS
from hotline.core.views import WorkbenchView


class RankingsPage(WorkbenchView):
    """Monthly rankings of streets, departments and districts."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/rankings.html"
