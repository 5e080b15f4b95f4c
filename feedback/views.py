"""Feedback (信息上传): browser views."""

from hotline.core.navigation import WORKBENCH_CALLBACK
from hotline.core.views import WorkbenchView


class CallbackWorklistPage(WorkbenchView):
    """Replied orders waiting for the citizen's callback (回访)."""

    nav_item = WORKBENCH_CALLBACK
    template_name = "feedback/callbacks.html"
