"""URLs of volunteers.reward_views (namespace rewards), under /volunteer/."""

app_name = "rewards"
urlpatterns: list = []
