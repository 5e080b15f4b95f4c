"""Role-specific navigation and home pages: one table, read by the context processor and `home`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str


WORKBENCH_AGENT = NavItem("dispatch:desk", _("Call workbench"))
WORKBENCH_DISPATCHER = NavItem("dispatch:dispatcher", _("Dispatch queue"))
WORKBENCH_UNIT = NavItem("dispatch:unit", _("Unit work orders"))
WORKBENCH_SUPERVISION = NavItem("dispatch:supervision", _("Supervision"))
WORKBENCH_CALLBACK = NavItem("feedback:callbacks", _("Callback worklist"))
WORKBENCH_REPORTS = NavItem("reports:dashboard", _("Leader dashboard"))
WORKBENCH_REPORT_LIST = NavItem("reports:list", _("Reports"))
WORKBENCH_RANKINGS = NavItem("assessment:rankings", _("Rankings"))
WORKBENCH_KNOWLEDGE = NavItem("knowledge_base:search", _("Knowledge base"))
WORKBENCH_KB_MANAGE = NavItem("knowledge_base:manage", _("Manage knowledge"))
WORKBENCH_SYSTEM = NavItem("system", _("System"))

# The first item of each role is its home page.
ROLE_NAVIGATION: dict[str, list[NavItem]] = {
    Role.AGENT: [WORKBENCH_AGENT, WORKBENCH_KNOWLEDGE],
    Role.DISPATCHER: [WORKBENCH_DISPATCHER, WORKBENCH_CALLBACK, WORKBENCH_SUPERVISION],
    Role.HANDLER: [WORKBENCH_UNIT, WORKBENCH_RANKINGS],
    Role.UNIT_LEADER: [WORKBENCH_UNIT, WORKBENCH_RANKINGS, WORKBENCH_REPORTS, WORKBENCH_REPORT_LIST],
    Role.CALLBACK: [WORKBENCH_CALLBACK],
    Role.SUPERVISOR: [WORKBENCH_SUPERVISION, WORKBENCH_RANKINGS, WORKBENCH_REPORT_LIST],
    Role.LEADER: [WORKBENCH_REPORTS, WORKBENCH_REPORT_LIST, WORKBENCH_RANKINGS],
    Role.KB_EDITOR: [WORKBENCH_KB_MANAGE, WORKBENCH_KNOWLEDGE],
    Role.ADMIN: [
        WORKBENCH_SYSTEM,
        WORKBENCH_AGENT,
        WORKBENCH_DISPATCHER,
        WORKBENCH_SUPERVISION,
        WORKBENCH_CALLBACK,
        WORKBENCH_REPORTS,
        WORKBENCH_REPORT_LIST,
        WORKBENCH_RANKINGS,
        WORKBENCH_KNOWLEDGE,
        WORKBENCH_KB_MANAGE,
    ],
}


def navigation_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return ROLE_NAVIGATION[Role.ADMIN]
    return ROLE_NAVIGATION.get(user.role, [])


def roles_for(item: NavItem) -> frozenset[str]:
    """The roles whose navigation holds `item`: those may open that page."""
    return frozenset(role for role, items in ROLE_NAVIGATION.items() if item in items)
