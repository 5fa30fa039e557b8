"""URLs of courses.checkin_views (namespace checkin)."""

app_name = "checkin"
urlpatterns: list = []
