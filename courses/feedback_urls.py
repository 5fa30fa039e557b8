"""URLs of courses.feedback_views (namespace feedback)."""

app_name = "feedback"
urlpatterns: list = []
