"""Intake (信息发现): browser views."""

from hotline.core.navigation import WORKBENCH_AGENT
from hotline.core.views import WorkbenchView


class WorkbenchPage(WorkbenchView):
    """The agent's call workbench: caller history, the demand form and knowledge-base answers."""

    nav_item = WORKBENCH_AGENT
    template_name = "intake/workbench.html"
