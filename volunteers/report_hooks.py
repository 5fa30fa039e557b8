"""Wagtail admin registrations for volunteer reports (志愿服务报表): imported by
volunteers.wagtail_hooks. The menu item shows only to those who may read them."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from volunteers import report_views


class VolunteerReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return report_views.user_reads_volunteer_reports(request.user)


@hooks.register("register_admin_urls")
def register_volunteer_report_urls():
    return [
        path(
            "volunteer-reports/",
            include(
                (report_views.urlpatterns, "volunteer_reports"),
                namespace="volunteer_reports",
            ),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_volunteer_reports_menu_item():
    return VolunteerReportsMenuItem(
        _("志愿服务报表"),
        reverse_lazy("volunteer_reports:index"),
        name="volunteer-reports",
        icon_name="table",
        order=800,
    )
