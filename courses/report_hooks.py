"""Wagtail admin registrations for attendance reports (统计报表): imported by
courses.wagtail_hooks. The menu item shows only to those who may read them."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses import report_views


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return report_views.user_reads_reports(request.user)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "attendance-reports/",
            include(
                (report_views.urlpatterns, "course_reports"), namespace="course_reports"
            ),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(
        _("统计报表"),
        reverse_lazy("course_reports:index"),
        name="course-reports",
        icon_name="table",
        order=150,
    )
