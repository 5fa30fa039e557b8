"""URLs of volunteers.service_views (namespace services), under /volunteer/."""

app_name = "services"
urlpatterns: list = []
