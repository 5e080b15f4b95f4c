"""Reports (《市民热线反映》): browser views."""

from hotline.core.navigation import WORKBENCH_REPORTS
from hotline.core.views import WorkbenchView


class DashboardPage(WorkbenchView):
    """The leader's dashboard and the daily, weekly and monthly reports."""

    nav_item = WORKBENCH_REPORTS
    template_name = "reports/dashboard.html"
