"""Template helpers shared by every app: one badge for every value, query strings, lookups. (The
badges of a work order are dispatch's: `{% load orders %}`.)"""

from django import template

register = template.Library()


@register.inclusion_tag("inc/badge.html")
def badge(value, label, colours):
    return {"value": value, "label": label, "colour": colours.get(value, "secondary")}


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


@register.filter
def percent(value, digits: int = 1):
    """0.8825 → "88.3 %" (a share shown to people); "—" for nothing."""
    if value in (None, ""):
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f} %"
    except (TypeError, ValueError):
        return "—"
