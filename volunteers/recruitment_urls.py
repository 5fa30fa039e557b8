"""URLs of volunteers.recruitment_views (namespace recruitment), under /volunteer/."""

app_name = "recruitment"
urlpatterns: list = []
