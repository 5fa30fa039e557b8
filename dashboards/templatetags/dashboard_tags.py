"""{% reads_dashboard user as flag %}: whether to link to 数据看板 (the header)."""

from django import template

from dashboards.permissions import user_reads_dashboard

register = template.Library()


@register.simple_tag
def reads_dashboard(user) -> bool:
    return user_reads_dashboard(user)
