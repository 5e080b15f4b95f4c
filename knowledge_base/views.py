"""Knowledge base (知识库): browser views."""

from hotline.core.navigation import WORKBENCH_KNOWLEDGE
from hotline.core.views import WorkbenchView


class KnowledgeHomePage(WorkbenchView):
    """Policy answers for agents, kept current by editors."""

    nav_item = WORKBENCH_KNOWLEDGE
    template_name = "knowledge_base/editor.html"
