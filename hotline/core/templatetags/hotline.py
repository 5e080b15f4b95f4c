"""Template helpers shared by every app: one badge for every status and light."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("inc/badge.html")
def badge(value, label, colours):
    return {"value": value, "label": label, "colour": colours.get(value, "secondary")}


@register.inclusion_tag("inc/badge.html")
def light_badge(order, now=None):
    from dispatch.choices import LIGHT_COLOURS, Light
    from dispatch.deadlines import light_of

    value = light_of(order, now or timezone.now())
    return {"value": value, "label": Light(value).label, "colour": LIGHT_COLOURS[value]}


@register.inclusion_tag("inc/badge.html")
def status_badge(order):
    from dispatch.choices import STATUS_COLOURS

    return {"value": order.status, "label": order.get_status_display(), "colour": STATUS_COLOURS.get(order.status)}


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pagination and filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template ({{ sections|get_item:key }}), None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None
