import math
from datetime import timedelta

from django import template

from school.selectors import school_of_page, schools_for_navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def schools_navigation(context):
    """Both schools, once per request however often the header asks."""
    return schools_for_navigation(context.get("request"))


@register.simple_tag(takes_context=True)
def school_of(context, page=None):
    """The school `page` belongs to (for the tab title), or None."""
    return school_of_page(page, context.get("request"))


@register.filter
def minutes(value: timedelta | None) -> int | None:
    """A duration in whole minutes, rounded up: for "try again in N minutes"."""
    if value is None:
        return None
    return max(1, math.ceil(value.total_seconds() / 60))
