"""Template helpers of the assessment, for pages of other apps (the order page's exemption form)."""

from django import template

from ..models import UnreasonableKind

register = template.Library()


@register.simple_tag
def unreasonable_kinds():
    """The kinds a dispatcher may propose (an accepted appeal is not proposed by hand)."""
    return [(value, label) for value, label in UnreasonableKind.choices if value != UnreasonableKind.APPEAL]
