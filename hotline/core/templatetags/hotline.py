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


@register.inclusion_tag("inc/pin.html")
def map_pin(demand):
    """A demand's map pin (地图定位), if it has one: the coordinates, the district they lie in, a link that
    opens the phone's own map app (geo: URI) and a small map."""
    from hotline.core.geo import district_at

    if demand.lat is None or demand.long is None:
        return {"pin": None}
    shape = district_at(demand.lat, demand.long)
    return {"pin": demand, "district": shape.name if shape else None}


@register.filter
def initials(name: str) -> str:
    """A name's pinyin initials (东华门街道 → dhmjd), shown in a picker's list so that they can be typed."""
    from hotline.core.pinyin import initials as of

    return of(str(name or ""))
