"""Feedback's part of the work order's page (dispatch.actions is the registry; FeedbackConfig.ready()
registers these): the unit's reply (双反馈), the hotline's check of it, 重办, and the panels that show
the reply, the citizen's evaluations and the evaluation link."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from dispatch import forms as order_forms
from dispatch.actions import Action, Panel, register_action, register_panel, transition_ok
from hotline.core.access import may
from hotline.core.selectors import is_city_hotline_staff

from . import services
from .forms import ReplyForm


def _reply_panel(order, user) -> dict | None:
    from . import quality

    reply = order.replies.first()
    if reply is None:
        return None
    return {"reply": reply, "flags": [(flag, quality.LABELS.get(flag, flag)) for flag in reply.flags]}


def _cooperation_panel(order, user) -> dict | None:
    """协办配合评价: on a lead order, the ratings it gave its assisting units; on an assisting order, the one
    it received."""
    from .models import CooperationRating

    if order.role == "main":
        given = list(CooperationRating.objects.filter(lead_order=order).select_related("unit").order_by("unit__code"))
        return {"ratings": given, "given": True} if given else None
    received = CooperationRating.objects.filter(order=order).select_related("lead_order__unit").first()
    return {"ratings": [received], "given": False} if received else None


def _evaluations_panel(order, user) -> dict | None:
    evaluations = list(order.evaluations.all())
    return {"evaluations": evaluations} if evaluations else None


def _link_panel(order, user) -> dict | None:
    """The link lets its holder answer as the citizen: only the center's callback agents (and
    administrators) see it, to help a citizen who lost the message; never the unit being evaluated."""
    if not (is_city_hotline_staff(user) and may(user, "feedback.record_callback")):
        return None
    link = order.evaluation_links.first()
    return {"link": link} if link is not None else None


def register() -> None:
    register_action(
        Action(
            "reply",
            _("Reply (办结反馈)"),
            ReplyForm,
            lambda o, u, d: services.work_order_reply(order=o, by=u, **d),
            "dispatch.handle_order",
            transition_ok("reply"),
            "success",
            position=30,
        ),
        Action(
            "accept_reply",
            _("Accept the reply"),
            order_forms.NoteForm,
            lambda o, u, d: services.reply_accept(order=o, by=u, note=d["note"]),
            "feedback.review_reply",
            lambda o: can_proceed(o.accept_reply),
            "success",
            position=190,
        ),
        Action(
            "send_back",
            _("Send the reply back"),
            order_forms.ReasonForm,
            lambda o, u, d: services.reply_send_back(order=o, by=u, reason=d["reason"]),
            "feedback.review_reply",
            lambda o: can_proceed(o.send_back),
            "outline-danger",
            position=200,
        ),
        Action(
            "reopen",
            _("Reopen (重办)"),
            order_forms.ReasonForm,
            lambda o, u, d: services.rehandle(order=o, by=u, reason=d["reason"]),
            "dispatch.reopen_order",
            transition_ok("reopen"),
            "outline-danger",
            position=210,
        ),
    )
    register_panel(
        Panel("reply", "feedback/_order_reply.html", _reply_panel, position=10),
        Panel("cooperation", "feedback/_order_cooperation.html", _cooperation_panel, position=15),
        Panel("evaluations", "feedback/_order_evaluations.html", _evaluations_panel, position=20),
        Panel("evaluation_link", "feedback/_order_link.html", _link_panel, position=30),
    )
