"""Wagtail admin registrations for the ladder (promotion): imported by
wagtail_hooks. 晋级审核 and 公示与异议 (volunteers.promotion_views), shown in
the menu to administrators only; to anyone else their URLs are a 404."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from volunteers import promotion_views, promotions


class PromotionMenuItem(MenuItem):
    def is_shown(self, request):
        return promotions.user_decides_promotions(request.user)


@hooks.register("register_admin_urls")
def register_promotion_review_urls():
    return [
        path(
            "promotion-review/",
            include(
                (promotion_views.admin_urlpatterns, "promotion_review"),
                namespace="promotion_review",
            ),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_promotion_review_menu_item():
    return PromotionMenuItem(
        _("晋级审核"),
        reverse_lazy("promotion_review:queue"),
        name="promotion-review",
        icon_name="user",
        order=700,
    )


@hooks.register("register_volunteers_menu_item")
def register_promotion_notices_menu_item():
    return PromotionMenuItem(
        _("公示与异议"),
        reverse_lazy("promotion_review:notices"),
        name="promotion-notices",
        icon_name="warning",
        order=710,
    )
