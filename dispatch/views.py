"""Dispatch (信息下达): browser views."""

from hotline.core.navigation import WORKBENCH_DISPATCHER, WORKBENCH_SUPERVISION, WORKBENCH_UNIT
from hotline.core.views import WorkbenchView


class DispatcherPage(WorkbenchView):
    """Demands waiting for a dispatcher, and returned orders to arbitrate."""

    nav_item = WORKBENCH_DISPATCHER
    template_name = "dispatch/dispatcher.html"


class UnitQueuePage(WorkbenchView):
    """The unit's work orders, by urgency and deadline."""

    nav_item = WORKBENCH_UNIT
    template_name = "dispatch/unit.html"


class SupervisionPage(WorkbenchView):
    """Red and overdue orders, 催办单 and 督办单."""

    nav_item = WORKBENCH_SUPERVISION
    template_name = "dispatch/supervision.html"
