"""URLs of volunteers.growth_views (namespace growth), under /volunteer/."""

app_name = "growth"
urlpatterns: list = []
