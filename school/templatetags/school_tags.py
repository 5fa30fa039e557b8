from django import template

from school.selectors import schools_for_navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def schools_navigation(context):
    """Both schools, once per request however often the header asks."""
    request = context.get("request")
    if request is None:
        return schools_for_navigation()
    if not hasattr(request, "_schools_navigation"):
        request._schools_navigation = schools_for_navigation()
    return request._schools_navigation
