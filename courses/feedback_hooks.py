"""Wagtail admin registrations for feedback (课后评价): imported by wagtail_hooks."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.feedback import user_can_read_feedback_report
from courses.feedback_views import SatisfactionReportView

REPORT_URL_NAME = "courses_feedback_report"


class FeedbackReportMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_read_feedback_report(request.user)


@hooks.register("register_admin_urls")
def register_feedback_report_url():
    return [
        path(
            "feedback/",
            SatisfactionReportView.as_view(),
            name=REPORT_URL_NAME,
        )
    ]


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item():
    return FeedbackReportMenuItem(
        _("课后评价满意率"),
        reverse(REPORT_URL_NAME),
        icon_name="pick",
        order=900,
    )
