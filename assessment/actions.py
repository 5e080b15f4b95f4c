"""Assessment's part of the work order's page and of the supervisor's 包点 board (dispatch.actions is the registry; AssessmentConfig.ready()
registers these): a leader's 批示 on the order, and a dispatcher's proposal that it is an unreasonable
demand (不合理诉求) that should not count."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dispatch.actions import Panel, register_panel
from hotline.core import watch
from hotline.core.access import may

from .models import UnreasonableKind
from .selectors import street_instructions


def _instruct_panel(order, user) -> dict | None:
    return {"order": order} if may(user, "assessment.write_instruction") else None


def _exemption_panel(order, user) -> dict | None:
    if order.role != "main" or not may(user, "assessment.propose_exemption"):
        return None
    # The kinds a dispatcher may propose (an accepted appeal is not proposed by hand).
    kinds = [(value, label) for value, label in UnreasonableKind.choices if value != UnreasonableKind.APPEAL]
    return {"order": order, "kinds": kinds}


def register() -> None:
    register_panel(
        Panel("instruct", "assessment/_order_instruct.html", _instruct_panel, column="side", position=50),
        Panel("exemption", "assessment/_order_exemption.html", _exemption_panel, column="side", position=60),
    )
    # 包点: the supervisor's page counts each of their streets' open 批示 (hotline.core.watch).
    watch.register(
        watch.StreetFigure(
            "instructions",
            _("Open 批示"),
            street_instructions,
            lambda street: f"{reverse('assessment:instructions')}?state=open&street={street.pk}",
        )
    )
