"""URLs of volunteers.promotion_views (namespace promotions), under
/volunteer/promotions/."""

from django.urls import path

from volunteers import promotion_views

app_name = "promotions"
urlpatterns = [
    path("notice/", promotion_views.notice, name="notice"),
    path("notice/<int:pk>/object/", promotion_views.object_to, name="object"),
    path("apply/", promotion_views.apply, name="apply"),
    path("mine/", promotion_views.mine, name="mine"),
    path("mine/<int:pk>/", promotion_views.promotion, name="promotion"),
]
