"""URLs of volunteers.reward_views (namespace rewards), under /volunteer/rewards/."""

from django.urls import path

from volunteers import reward_views

app_name = "rewards"
urlpatterns = [
    path("", reward_views.catalogue, name="catalogue"),
    path("<int:pk>/redeem/", reward_views.redeem, name="redeem"),
    path("mine/", reward_views.mine, name="mine"),
    path("mine/<int:pk>/", reward_views.redemption_detail, name="redemption"),
    path("mine/<int:pk>/cancel/", reward_views.cancel, name="cancel"),
    path("merchant/", reward_views.merchant, name="merchant"),
]
