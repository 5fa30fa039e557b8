"""Wagtail admin registrations for the space utilisation report (空间使用率):
imported by volunteers.wagtail_hooks. The menu item shows to administrators only."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from volunteers import utilisation_views


class UtilisationMenuItem(MenuItem):
    def is_shown(self, request):
        return utilisation_views.user_reads_utilisation(request.user)


@hooks.register("register_admin_urls")
def register_utilisation_urls():
    return [
        path(
            "space-utilisation/",
            include(
                (utilisation_views.urlpatterns, "utilisation"),
                namespace="utilisation",
            ),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_utilisation_menu_item():
    return UtilisationMenuItem(
        _("空间使用率"),
        reverse_lazy("utilisation:index"),
        name="space-utilisation",
        icon_name="table",
        order=820,
    )
