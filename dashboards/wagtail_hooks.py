"""数据看板 in the Wagtail admin: a top-level menu item and its page, shown to
administrators and superusers only (the page itself is a 404 to anyone else)."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dashboards.permissions import user_reads_admin_dashboard
from dashboards.views import AdminDashboardView


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return user_reads_admin_dashboard(request.user)


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return [path("dashboard/", AdminDashboardView.as_view(), name="dashboards_admin")]


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        _("数据看板"),
        reverse_lazy("dashboards_admin"),
        name="dashboards",
        icon_name="table",
        order=140,
    )
