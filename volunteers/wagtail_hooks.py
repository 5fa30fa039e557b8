"""Wagtail admin registrations of the volunteers app: one 志愿服务 menu group with
its models (point items, coordinators' scopes, merchants, rewards, redemptions,
level rules, community spaces and activities) and the pages the part modules
register into it."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from volunteers import (  # noqa: F401 (each registers its own hooks)
    activity_hooks,
    ladder_hooks,
    level_report_hooks,
    promotion_hooks,
    recruitment_hooks,
    report_hooks,
    utilisation_hooks,
)
from volunteers.activity_hooks import ActivityViewSet, CommunitySpaceViewSet
from volunteers.ladder_hooks import LevelRuleViewSet
from volunteers.reward_viewsets import MerchantViewSet, RedemptionViewSet, RewardViewSet
from volunteers.service_viewsets import CoordinatorScopeViewSet, PointItemViewSet


class VolunteersViewSetGroup(ViewSetGroup):
    """The app's one admin menu: its viewsets, and the pages each part registers
    with the `register_volunteers_menu_item` hook (review queues, recruitment,
    level changes, reports), each shown only to those who may use it."""

    menu_label = _("志愿服务")
    menu_icon = "clipboard-list"
    menu_order = 160
    submenu_hook = "register_volunteers_menu_item"
    items = (
        PointItemViewSet,
        CoordinatorScopeViewSet,
        MerchantViewSet,
        RewardViewSet,
        RedemptionViewSet,
        LevelRuleViewSet,
        CommunitySpaceViewSet,
        ActivityViewSet,
    )


@hooks.register("register_admin_viewset")
def register_volunteers_viewsets():
    return VolunteersViewSetGroup()
