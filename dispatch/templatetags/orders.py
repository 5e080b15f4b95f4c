"""Badges of a work order: its traffic light (红黄绿灯) and its status."""

from django import template
from django.utils import timezone

from dispatch.choices import LIGHT_COLOURS, STATUS_COLOURS, SUPERVISION_COLOURS, WHISTLE_COLOURS, Light
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
