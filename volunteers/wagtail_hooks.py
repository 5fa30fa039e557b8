"""Wagtail admin registrations of the volunteers app: its models in one 志愿服务
menu group (service: point items, coordinators' scopes; rewards: merchants,
rewards, redemptions), the reports' menu item and URLs (report_hooks)."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from volunteers import (  # noqa: F401 (each registers its own hooks)
    ladder_hooks,
    level_report_hooks,
    promotion_hooks,
    recruitment_hooks,
    report_hooks,
)
from volunteers.reward_viewsets import MerchantViewSet, RedemptionViewSet, RewardViewSet
from volunteers.service_viewsets import CoordinatorScopeViewSet, PointItemViewSet


class VolunteersViewSetGroup(ViewSetGroup):
    menu_label = _("志愿服务")
    menu_icon = "clipboard-list"
    menu_order = 160
    items = (
        PointItemViewSet,
        CoordinatorScopeViewSet,
        MerchantViewSet,
        RewardViewSet,
        RedemptionViewSet,
    )


@hooks.register("register_admin_viewset")
def register_volunteers_viewsets():
    return VolunteersViewSetGroup()
