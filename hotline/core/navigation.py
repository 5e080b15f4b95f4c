"""Role-specific navigation and home pages: one table of menus, read by the context processor and `home`.

A menu is a layout, not a key: who may open a page is its permission (hotline.core.access), the same
one its API asks. A role's menu lists, in its order, the pages of its day; an entry the user may not
open is not shown, and a page left out of a menu stays open to whoever holds its permission."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .access import may
from .choices import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    permission: str  # who may open the page (hotline.core.access)


WORKBENCH_AGENT = NavItem("dispatch:desk", _("Call workbench"), "intake.record_demand")
WORKBENCH_DISPATCHER = NavItem("dispatch:dispatcher", _("Dispatch queue"), "dispatch.dispatch_demand")
WORKBENCH_UNIT = NavItem("dispatch:unit", _("Unit work orders"), "dispatch.view_orders")
WORKBENCH_SUPERVISION = NavItem("dispatch:supervision", _("Supervision"), "dispatch.supervise")
WORKBENCH_CALLBACK = NavItem("feedback:callbacks", _("Callback worklist"), "feedback.review_reply")
WORKBENCH_REPORTS = NavItem("reports:dashboard", _("Leader dashboard"), "reports.read_reports")
WORKBENCH_REPORT_LIST = NavItem("reports:list", _("Reports"), "reports.read_reports")
WORKBENCH_RANKINGS = NavItem("assessment:rankings", _("Rankings"), "assessment.view_rankings")
WORKBENCH_TOPICS = NavItem("governance:topics", _("Proactive governance"), "governance.view_topics")
WORKBENCH_KNOWLEDGE = NavItem("knowledge_base:search", _("Knowledge base"), "knowledge_base.read_articles")
WORKBENCH_KB_MANAGE = NavItem("knowledge_base:manage", _("Manage knowledge"), "knowledge_base.edit_article")
WORKBENCH_SYSTEM = NavItem("system", _("System"), "core.administer")
WORKBENCH_CLASSIFIER = NavItem("intake:classifier", _("Smart dispatch"), "intake.view_classifier")
WORKBENCH_RECORD_TEMPLATES = NavItem("intake:templates", _("Recording templates"), "intake.record_demand")
# Beside the menu, for everyone: the bell with the unread count.
INBOX = NavItem("inbox", _("Notifications"), "core.read_notifications")

# The first item of each role is its home page.
ROLE_NAVIGATION: dict[str, list[NavItem]] = {
    Role.AGENT: [WORKBENCH_AGENT, WORKBENCH_KNOWLEDGE, WORKBENCH_RECORD_TEMPLATES],
    Role.DISPATCHER: [
        WORKBENCH_DISPATCHER,
        WORKBENCH_CALLBACK,
        WORKBENCH_SUPERVISION,
        WORKBENCH_TOPICS,
        WORKBENCH_CLASSIFIER,
    ],
    Role.HANDLER: [WORKBENCH_UNIT, WORKBENCH_RANKINGS],
    Role.UNIT_LEADER: [WORKBENCH_UNIT, WORKBENCH_RANKINGS, WORKBENCH_REPORTS, WORKBENCH_REPORT_LIST, WORKBENCH_TOPICS],
    Role.CALLBACK: [WORKBENCH_CALLBACK],
    Role.SUPERVISOR: [WORKBENCH_SUPERVISION, WORKBENCH_TOPICS, WORKBENCH_RANKINGS, WORKBENCH_REPORT_LIST],
    Role.LEADER: [WORKBENCH_REPORTS, WORKBENCH_REPORT_LIST, WORKBENCH_RANKINGS, WORKBENCH_TOPICS],
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
        WORKBENCH_TOPICS,
        WORKBENCH_KNOWLEDGE,
        WORKBENCH_KB_MANAGE,
        WORKBENCH_CLASSIFIER,
    ],
}


def navigation_for(user) -> list[NavItem]:
    """The user's menu: their role's entries that they may open, in the role's order."""
    if not user.is_authenticated:
        return []
    items = ROLE_NAVIGATION[Role.ADMIN] if user.is_superuser else ROLE_NAVIGATION.get(user.role, [])
    return [item for item in items if may(user, item.permission)]
