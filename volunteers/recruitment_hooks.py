"""Wagtail admin registrations for the ladder (recruitment): imported by
wagtail_hooks. 主理人招募's URLs and its menu item, shown to administrators only."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from volunteers import recruitment, recruitment_views


class RecruitmentMenuItem(MenuItem):
    def is_shown(self, request):
        return recruitment.user_runs_recruitment(request.user)


@hooks.register("register_admin_urls")
def register_recruitment_urls():
    return [
        path(
            "recruitment-rounds/",
            include(
                (recruitment_views.admin_urlpatterns, "recruitment_admin"),
                namespace="recruitment_admin",
            ),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_recruitment_menu_item():
    return RecruitmentMenuItem(
        _("主理人招募"),
        reverse_lazy("recruitment_admin:index"),
        name="recruitment-rounds",
        icon_name="group",
        order=720,
    )
