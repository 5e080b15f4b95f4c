"""Badges of a work order: its traffic light (红黄绿灯) and its status."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dispatch.choices import LIGHT_COLOURS, OPEN_STATUSES, STATUS_COLOURS, SUPERVISION_COLOURS, WHISTLE_COLOURS, Light
from dispatch.deadlines import light_of
from dispatch.selectors import main_order as _main_order

register = template.Library()


@register.inclusion_tag("inc/badge.html")
def light_badge(order, now=None):
    value = light_of(order, now or timezone.now())
    return {"value": value, "label": Light(value).label, "colour": LIGHT_COLOURS[value]}


@register.inclusion_tag("inc/badge.html")
def status_badge(order):
    return {"value": order.status, "label": order.get_status_display(), "colour": STATUS_COLOURS.get(order.status)}


@register.filter
def main_order(demand):
    """The demand's current lead work order, or None."""
    return _main_order(demand)


@register.simple_tag
def supervision_colour(supervision) -> str:
    """The badge colour of a 督办单's state."""
    return SUPERVISION_COLOURS.get(supervision.status, "secondary")


@register.simple_tag
def whistle_colour(whistle) -> str:
    """The badge colour of a whistle's state (吹哨报到)."""
    return WHISTLE_COLOURS.get(whistle.status, "secondary")


def _duration(seconds: int) -> str:
    """A span of time as people say it: the two largest of days, hours and minutes."""
    minutes = max(seconds, 0) // 60
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        parts = [
            ngettext("%d day", "%d days", days) % days,
            ngettext("%d hour", "%d hours", hours) % hours if hours else "",
        ]
    elif hours:
        parts = [
            ngettext("%d hour", "%d hours", hours) % hours,
            ngettext("%d minute", "%d minutes", mins) % mins if mins else "",
        ]
    else:
        parts = [ngettext("%d minute", "%d minutes", mins) % mins]
    return " ".join(p for p in parts if p)


@register.simple_tag
def time_left(order, now=None):
    """倒计时: how long an open order has before its deadline, or how long it is overdue (in red). The
    span carries the deadline, so the page counts down without a reload (static/js/hotline.js)."""
    if order.status not in OPEN_STATUSES or order.deadline is None:
        return "—"
    seconds = int((order.deadline - (now or timezone.now())).total_seconds())
    if seconds < 0:
        return format_html(
            '<span class="text-danger fw-semibold countdown" data-deadline="{}">{}</span>',
            order.deadline.isoformat(),
            _("overdue by %(time)s") % {"time": _duration(-seconds)},
        )
    return format_html(
        '<span class="countdown" data-deadline="{}">{}</span>',
        order.deadline.isoformat(),
        _("%(time)s left") % {"time": _duration(seconds)},
    )


@register.simple_tag
def countdown_words() -> dict:
    """The words of the live countdown (static/js/hotline.js), in the reader's language."""
    return {
        "left": _("%(time)s left"),
        "over": _("overdue by %(time)s"),
        # [one, many]: the plural forms of the reader's language.
        "day": [ngettext("%d day", "%d days", 1), ngettext("%d day", "%d days", 2)],
        "hour": [ngettext("%d hour", "%d hours", 1), ngettext("%d hour", "%d hours", 2)],
        "minute": [ngettext("%d minute", "%d minutes", 1), ngettext("%d minute", "%d minutes", 2)],
    }
