from django import template

from ..selectors import main_order as _main_order

register = template.Library()


@register.filter
def main_order(demand):
    """The demand's current lead work order, or None."""
    return _main_order(demand)
