"""URLs of volunteers.promotion_views (namespace promotions), under /volunteer/."""

app_name = "promotions"
urlpatterns: list = []
