"""Wagtail admin registrations for the ladder's reports (等级报表): imported by
volunteers.wagtail_hooks. The menu item shows to administrators only."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from volunteers import level_report_views


class LevelReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return level_report_views.user_reads_level_reports(request.user)


@hooks.register("register_admin_urls")
def register_level_report_urls():
    return [
        path(
            "level-reports/",
            include(
                (level_report_views.urlpatterns, "level_reports"),
                namespace="level_reports",
            ),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_level_reports_menu_item():
    return LevelReportsMenuItem(
        _("等级报表"),
        reverse_lazy("level_reports:index"),
        name="level-reports",
        icon_name="table",
        order=810,
    )
